# vm-timeout: 900
# One boot of the power-cut run (tests/Routerd.Vm/PowerCuts.cs): the host boots the lab VM again
# and again with the same data disk (/dev/vdb, ext4) and kills QEMU at a random moment. Each boot
# mounts the disk, starts routerd with its state directory on it, records what routerd holds
# (boot-ROUND: the newest value it holds; store-ROUND: its store status), then changes the settings
# through the API in a loop, appending each acknowledged value to acks-ROUND on the 9p share
# (written through to the host at once, so the host knows every ack made before the cut). The
# changes alternate between the whole settings (the SSID: a new whole good copy) and one port
# forward (its description: one line of the copy's journal, folded into the copy now and then), so
# both ways a change reaches the disk are cut; the value held is the newer of the two.
. /lab/guest/lib.sh
round=$(cat /lab/round)
mkdir -p /data
mount -t ext4 /dev/vdb /data || fail "cannot mount the data disk"
mkdir -p /data/state /run/routerd /run/routerd-log
cat > /run/routerd/board.json <<JSON
{
  "Name": "power-cut",
  "WanDevice": "wan0",
  "LanPorts": ["lan1"],
  "LanBridge": "br-lan",
  "StateDir": "/data/state",
  "RunDir": "/run/routerd/run",
  "LogDir": "/run/routerd-log",
  "WebPort": 80
}
JSON
mkdir -p /run/routerd/run
ns_add rtr x
veth rtr wan0 x w0
veth rtr lan1 x l0
echo "$(now)" > "$RESULTS/starting-$round"
start_in rtr "routerd-$round" "$ROUTERD" serve --board /run/routerd/board.json
ROUTERD_SOCKET=/run/routerd/run/routerd.sock
wait_for 150 "routerd's control socket" routerd_api rtr /api/status
# The main network's name: the guest network's object (which has an "ssid" too) is left out first.
main_ssid() { tr -d '\n' | sed 's/"guest": *{[^}]*}//' | json_get ssid; }
# The later of the values given, r<round>-<change> (the board's default SSID is none of them).
newest() { printf '%s\n' "$@" | grep '^r[0-9]' | sort -t- -k1.2,1n -k2,2n | tail -1; }
# What routerd serves is kept beside the value read from it (settings-ROUND.json, forwards-ROUND.json):
# a boot that holds none of the values written is then told apart from an answer that was not read
# (stop 40's CI: one boot held neither, and nothing said which). A GET that fails is tried once
# more: a slow answer is not a lost change, and a routerd that stopped fails both.
read_api() {
  local path=$1 out=$2
  routerd_api rtr "$path" > "$out" 2>&1 && return 0
  echo "(GET $path failed: exit $?; tried again after 2 s)" >> "$out"
  sleep 2
  routerd_api rtr "$path" >> "$out" 2>&1 || echo "(GET $path failed again: exit $?)" >> "$out"
}
read_api /api/settings "$RESULTS/settings-$round.json"
read_api /api/forwards "$RESULTS/forwards-$round.json"
forward_id=$(json_get id < "$RESULTS/forwards-$round.json")
newest "$(main_ssid < "$RESULTS/settings-$round.json")" "$(json_get description < "$RESULTS/forwards-$round.json")" > "$RESULTS/boot-$round"
routerd_api rtr /api/status | tr -d '\n' | sed -n 's/.*"store": *{[^}]*"code": *"\([^"]*\)".*/\1/p' > "$RESULTS/store-$round"
echo "$(now)" > "$RESULTS/serving-$round"
i=0
while :; do
  i=$((i + 1))
  v="r$round-$i"
  if [ $((i % 2)) = 1 ]; then
    body=$(routerd_api rtr /api/settings | tr -d '\n' | sed "s/\"ssid\": *\"[^\"]*\"/\"ssid\": \"$v\"/")
    routerd_api rtr /api/settings -X PUT -H 'Content-Type: application/json' --data-binary "$body" > /dev/null
  else
    forward="{\"protocol\":\"tcp\",\"wanPort\":8443,\"mac\":\"02:00:00:00:00:42\",\"description\":\"$v\"}"
    if [ -z "$forward_id" ]; then
      forward_id=$(routerd_api rtr /api/forwards -X POST -H 'Content-Type: application/json' --data-binary "$forward" | json_get id)
      [ -n "$forward_id" ] || fail "the forward was not added"
    else
      routerd_api rtr "/api/forwards/$forward_id" -X PUT -H 'Content-Type: application/json' --data-binary "$forward" > /dev/null
    fi
  fi
  echo "$v" >> "$RESULTS/acks-$round"
done
