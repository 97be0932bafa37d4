# The image tier's PPPoE ISP: runs in the lab VM (Debian's kernel has PPP; the host's has not),
# whose one NIC (eth0) is cabled to the image's WAN port. rp-pppoe's pppoe-server with a CHAP
# account hands the router 100.64.0.53; behind it, in a namespace, the lab's internet host
# (198.51.100.10) serves the hello page the image tier's client fetches through the router's NAT
# over PPP. Runs until the host stops the VM.
# vm-timeout: 3000
. /lab/guest/lib.sh
ip link set eth0 up
# The ISP itself is the guest's own namespace: chap-secrets and pppd's options in /etc (the root
# image is a throwaway snapshot).
mkdir -p /etc/ppp
printf '"%s" * "%s" 100.64.0.53\n' "$PPPOE_USER" "$PPPOE_PASSWORD" > /etc/ppp/chap-secrets
chmod 600 /etc/ppp/chap-secrets
printf 'require-chap\nlcp-echo-interval 5\nlcp-echo-failure 6\nms-dns 100.64.0.1\nnoipdefault\n' > /etc/ppp/pppoe-server-options
sysctl -qw net.ipv4.ip_forward=1
ns_add inet
ip link add isp-inet type veth peer name eth0 netns inet
ip link set isp-inet up
ip -n inet link set eth0 up
ip addr add 198.51.100.1/24 dev isp-inet
ip -n inet addr add "$INTERNET_HOST/24" dev eth0
ip -n inet route add default via 198.51.100.1
mkdir -p /tmp/www
printf '%s\n' "$HELLO_TEXT" > "/tmp/www/${HELLO_PATH#/}"
start_in inet httpd busybox httpd -f -p "$INTERNET_HOST:80" -h /tmp/www
pppoe-server -F -I eth0 -L 100.64.0.1 -R 100.64.0.53 -N 4 -C image-isp -S internet > "$RESULTS/pppoe-server.log" 2>&1 &
log "pppoe-isp: ready"
echo "pppoe-isp: ready" > /dev/console
while :; do
  sleep 5
  # What the host reads about the session: pppd's interfaces and their peers.
  # (The suite runs scenarios under sh -e: no session yet is not an error.)
  { ip -o -4 addr show | grep ' ppp' || true; } > "$RESULTS/sessions.tmp"
  mv "$RESULTS/sessions.tmp" "$RESULTS/sessions"
done
