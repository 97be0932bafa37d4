# The guest kernel has what the host kernel lacks (LAB.md) and later scenarios rely on: PPP and
# PPPoE, cake and fq_codel, IPVS (forwarding HTTP), mac80211_hwsim radios. Each is used, not just loaded.
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

# IPVS in NAT mode: a client reaches a real server only through the director's virtual service.
ns_add cli srv
veth a la cli c0
veth a ls srv s0
ip -n a addr add 10.8.0.1/24 dev la
ip -n a addr add 10.9.0.1/24 dev ls
ip -n cli addr add 10.8.0.2/24 dev c0
ip -n srv addr add 10.9.0.2/24 dev s0
ip -n srv route add default via 10.9.0.1
in_ns a sysctl -qw net.ipv4.ip_forward=1
mkdir -p /tmp/www && echo "served by the real server" > /tmp/www/index.html
start_in srv httpd busybox httpd -f -p 10.9.0.2:80 -h /tmp/www
in_ns a ipvsadm -A -t 10.8.0.1:80 -s rr
in_ns a ipvsadm -a -t 10.8.0.1:80 -r 10.9.0.2:80 -m
wait_for 20 "the real server's httpd" in_ns srv sh -c 'ss -Htln | grep -q 10.9.0.2:80'
page=$(in_ns cli curl -sS --max-time 10 http://10.8.0.1/)
[ "$page" = "served by the real server" ] || fail "through the virtual service the client got: $page"
# The real server's line: "-> 10.9.0.2:80  CONNS INPKTS ..."; the kernel sums these counters
# every 2 s, so they lag the connection.
ipvs_counted() { in_ns a ipvsadm -Ln --stats | awk '$2 == "10.9.0.2:80" && $3 >= 1 { n++ } END { exit !n }'; }
wait_for 15 "IPVS to count the connection to the real server" ipvs_counted
log "IPVS (NAT) forwarded HTTP to the real server"

hwsim 2
phys=$(ls /sys/class/ieee80211 | wc -l)
[ "$phys" -eq 2 ] || fail "mac80211_hwsim radios=2 made $phys phys"
phy=$(ls /sys/class/ieee80211 | head -1)
iw phy "$phy" set netns name b
in_ns b iw phy | grep -q "Wiphy $phy" || fail "phy $phy did not move into namespace b"
log "two hwsim radios, $phy moved into b"
