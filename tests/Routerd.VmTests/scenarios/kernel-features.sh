# The guest kernel has what the host kernel lacks (LAB.md) and later scenarios rely on: PPP and
# PPPoE, cake and fq_codel, IPVS, mac80211_hwsim radios. Each is used, not just loaded.
. /lab/guest/lib.sh

[ -c /dev/ppp ] || fail "/dev/ppp is missing (ppp_generic not loaded?)"
grep -q '^pppoe ' /proc/modules || fail "the pppoe module is not loaded"

ns_add a b
veth a qa b qb
in_ns a tc qdisc add dev qa root cake bandwidth 20mbit
in_ns a tc qdisc show dev qa | grep -q 'cake' || fail "cake is not on qa"
in_ns b tc qdisc add dev qb root fq_codel
in_ns b tc qdisc show dev qb | grep -q 'fq_codel' || fail "fq_codel is not on qb"
log "cake and fq_codel attached"

ip -n a addr add 10.9.0.1/24 dev qa
in_ns a ipvsadm -A -t 10.9.0.1:80 -s rr
in_ns a ipvsadm -a -t 10.9.0.1:80 -r 10.9.0.2:80 -m
in_ns a ipvsadm -Ln | grep -q '10.9.0.2:80' || fail "ipvsadm shows no real server"
log "IPVS virtual service with a real server"

hwsim 2
phys=$(ls /sys/class/ieee80211 | wc -l)
[ "$phys" -eq 2 ] || fail "mac80211_hwsim radios=2 made $phys phys"
phy=$(ls /sys/class/ieee80211 | head -1)
iw phy "$phy" set netns name b
in_ns b iw phy | grep -q "Wiphy $phy" || fail "phy $phy did not move into namespace b"
log "two hwsim radios, $phy moved into b"
