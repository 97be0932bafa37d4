#!/usr/bin/env python3
# A video call's traffic for lab VM scenarios and benchmarks: UDP both ways, 50 frames a second,
# each frame sent as a burst of packets of at most 1200 bytes (how RTP packetises video), every
# packet stamped with its sequence number and the sender's CLOCK_REALTIME. All namespaces share
# the guest's one clock, so the receiver's kernel receive timestamp (SO_TIMESTAMPNS, taken when
# the packet arrives, not when this process gets the CPU) minus the stamp is the one-way delay.
#
#   call.py answer PORT UP_BPS DOWN_BPS SECONDS OUT   the far end (ISP side): waits for the first
#       packet, then sends DOWN_BPS back to where it came from (through the router's NAT) for
#       SECONDS; records what arrives.
#   call.py dial HOST PORT UP_BPS DOWN_BPS SECONDS OUT  the phone: sends UP_BPS to HOST:PORT for
#       SECONDS; records what arrives.
# OUT gets three files: OUT.sent (packets sent), OUT.recv (packets received), OUT.delays (one
# line per received packet, in order of arrival: its one-way delay in ms).
# Needs only python3-minimal (no json, no third-party modules).
import os, select, socket, struct, sys, time

FPS = 50
MAX_PAYLOAD = 1200
HEADER = struct.Struct("!4sIq")   # magic, sequence number, send time (ns, CLOCK_REALTIME)
MAGIC = b"CALL"
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
GRACE = 1.5  # seconds to keep receiving after our own sending ends: a 200 ms line queue drains


def frame_sizes(bps):
    frame = bps // 8 // FPS
    n = max(1, -(-frame // MAX_PAYLOAD))
    return [max(HEADER.size, frame // n)] * n


def run(sock, peer, send_bps, seconds, out, wait_first):
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sizes = frame_sizes(send_bps)
    delays, received, sent, seen = [], 0, 0, set()
    start = None if wait_first else time.monotonic()
    next_frame = start
    end = None if wait_first else start + seconds
    while True:
        now = time.monotonic()
        if end is not None and now > end + GRACE:
            break
        if wait_first and start is None and now > deadline_first:
            break
        timeout = 0.05 if next_frame is None else max(0.0, next_frame - now)
        if end is not None and now > end:
            timeout = end + GRACE - now
        r, _, _ = select.select([sock], [], [], timeout)
        if r:
            data, anc, _, addr = sock.recvmsg(2048, 64)
            if len(data) < HEADER.size or data[:4] != MAGIC:
                continue
            _, seq, stamp = HEADER.unpack_from(data)
            arrival = time.time_ns()
            for level, kind, value in anc:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", value[:16])
                    arrival = sec * 1_000_000_000 + nsec
            if seq not in seen:
                seen.add(seq)
                received += 1
                delays.append((arrival - stamp) / 1e6)
            if peer is None:
                peer = addr
            if start is None:
                start = time.monotonic()
                next_frame = start
                end = start + seconds
        now = time.monotonic()
        while next_frame is not None and end is not None and now >= next_frame and next_frame < end and peer is not None:
            for size in sizes:
                packet = bytearray(size)
                HEADER.pack_into(packet, 0, MAGIC, sent, time.time_ns())
                try:
                    sock.sendto(packet, peer)
                except OSError:
                    pass  # a full socket buffer or no route for a moment: counted as lost
                sent += 1
            next_frame += 1.0 / FPS
            if next_frame < now - 0.2:
                next_frame = now  # far behind (the CPU was taken): no catch-up burst
    for name, value in (("sent", sent), ("recv", received)):
        with open(out + "." + name, "w") as f:
            f.write(f"{value}\n")
    with open(out + ".delays", "w") as f:
        f.write("".join(f"{d:.3f}\n" for d in delays))


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) == 6 and a[0] == "answer":
        _, port, up, down, secs, out = a
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", int(port)))
        deadline_first = time.monotonic() + 30
        run(s, None, int(down), float(secs), out, True)
    elif len(a) == 7 and a[0] == "dial":
        _, host, port, up, down, secs, out = a
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        run(s, (host, int(port)), int(up), float(secs), out, False)
    else:
        sys.stderr.write("usage: call.py answer PORT UP_BPS DOWN_BPS SECONDS OUT | dial HOST PORT UP_BPS DOWN_BPS SECONDS OUT\n")
        sys.exit(2)
