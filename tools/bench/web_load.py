#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# web_load.py BUILD_DIR [SECONDS] -- tickweb under load, on loopback, bounded:
# 100 concurrent SSE clients of /live and 200 requests/s of /api/bars for
# SECONDS (default 30) while ticksim -> tickfeed -> tickstore -> tickweb run a
# trading day. Prints, against a baseline run of the same pipeline without the
# load (same machine, same run):
#   - the bus rate tickweb took (records/s) with and without the load: the
#     feed's rate, paced by ticksim, must not change;
#   - per SSE client: the records received against a reference ticksub on the
#     same topics over the same span (none missing that it did not lag on:
#     a client that lagged gets a gap event, counted);
#   - /api/bars: requests made, statuses, latency p50/p99/max;
#   - tickweb's resident memory at the start and end of the load (flat).
# Not part of ./dev test (it takes about 2 minutes and two cores); docs/http.md
# quotes its figures.
import json, os, signal, socket, subprocess, sys, tempfile, threading, time

build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else 'build/release')
secs = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
N_SSE, RPS = 100, 200
TOPICS = 'trade.'


def rss_kb(pid):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0


def http_get(port, path, timeout=10):
    s = socket.create_connection(('127.0.0.1', port), timeout=timeout)
    s.sendall(f'GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n'.encode())
    data = b''
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    s.close()
    head, _, body = data.partition(b'\r\n\r\n')
    return int(head.split()[1]), body


class Sse(threading.Thread):
    """One SSE client: the ids of its tick events, and its gap events."""

    def __init__(self, port, stop):
        super().__init__(daemon=True)
        self.port, self.stop, self.ids, self.gaps, self.err = port, stop, [], 0, None

    def run(self):
        try:
            s = socket.create_connection(('127.0.0.1', self.port), timeout=2)
            s.sendall(f'GET /live?topics={TOPICS} HTTP/1.0\r\nHost: x\r\n\r\n'.encode())
            buf = b''
            while not self.stop.is_set():
                try:
                    b = s.recv(65536)
                except socket.timeout:
                    continue
                if not b:
                    break
                buf += b
                *events, buf = buf.split(b'\n\n')
                for e in events:
                    if e.startswith(b'id: ') and b'\nevent: tick' in e:
                        self.ids.append(int(e[4:e.index(b'\n')]))
                    elif e.startswith(b'event: gap'):
                        self.gaps += 1
            s.close()
        except OSError as e:
            self.err = str(e)


def pipeline(d, web_port, mport):
    pub, rtr = f'ipc://{d}/pub', f'ipc://{d}/router'
    log = lambda n: open(f'{d}/{n}.log', 'w')
    ps = [subprocess.Popen([f'{build}/store/tickstore', '--db', f'{d}/db', '--endpoint', pub, '--router', rtr,
                            '--flush-ms', '200', '--stats', '0'], stdout=log('tickstore'), stderr=subprocess.STDOUT),
          subprocess.Popen([f'{build}/feedhandler/tickfeed', '--port-base', str(mport), '--journal', f'{d}/journal',
                            '--pub', pub, '--router', rtr, '--stats', '0'], stdout=log('tickfeed'), stderr=subprocess.STDOUT),
          subprocess.Popen([f'{build}/web/tickweb', '--listen', f'127.0.0.1:{web_port}', '--db', f'{d}/db',
                            '-e', pub, '-r', rtr], stdout=log('tickweb'), stderr=subprocess.STDOUT)]
    time.sleep(0.5)
    ps.append(subprocess.Popen([f'{build}/tools/ticksim/ticksim', '--port-base', str(mport), '--day-seconds',
                                str(int(secs * 2 + 40))], stdout=log('ticksim'), stderr=subprocess.STDOUT))
    ref = subprocess.Popen([f'{build}/tools/ticksub/ticksub', '-e', pub, '-r', rtr, '--json'] +
                           ['-t', TOPICS],
                           stdout=open(f'{d}/ref.jsonl', 'w'), stderr=log('ticksub'))
    return ps, ref


def journal_bytes(d):
    """What tickfeed has journaled: its published records, whoever reads them."""
    n = 0
    for root, _, files in os.walk(f'{d}/journal'):
        n += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return n


def health(port):
    return json.loads(http_get(port, '/health')[1])


def run(load):
    d = tempfile.mkdtemp(prefix='gt-web-load.')
    web_port = 28500 + os.getpid() % 4000 + (1 if load else 0)
    mport = 20000 + (os.getpid() % 800) * 10 + (5 if load else 0)
    ps, ref = pipeline(d, web_port, mport)
    web = ps[2]
    try:
        for _ in range(600):  # until symbols with trades are in the store
            try:
                st, body = http_get(web_port, '/api/symbols?product=H100')
                if st == 200 and b'"symbol":"H100Z6"' in body:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        stop = threading.Event()
        clients = [Sse(web_port, stop) for _ in range(N_SSE if load else 0)]
        for c in clients:
            c.start()
        lat, statuses, lock = [], {}, threading.Lock()
        h0, t0, rss0, j0 = health(web_port), time.time(), rss_kb(web.pid), journal_bytes(d)
        rss = [rss0]

        # Open loop: request k is due at t0 + k / RPS whatever the earlier
        # ones took, sent by one of 16 threads (so a slow answer delays only
        # its own thread's next request).
        def requester(i, nthreads=16):
            k = i
            while load:
                due = t0 + k / RPS
                if due - t0 >= secs:
                    break
                wait = due - time.time()
                if wait > 0:
                    time.sleep(wait)
                a = time.time()
                try:
                    st, _ = http_get(web_port, '/api/bars?symbol=H100Z6&interval=5m')
                except OSError:
                    st = 'error'
                with lock:
                    lat.append(time.time() - a)
                    statuses[st] = statuses.get(st, 0) + 1
                k += nthreads

        reqs = [threading.Thread(target=requester, args=(i,), daemon=True) for i in range(16 if load else 0)]
        for r in reqs:
            r.start()
        while time.time() - t0 < secs:
            time.sleep(1.0)
            rss.append(rss_kb(web.pid))
        for r in reqs:
            r.join(30)
        n = len(lat)
        h1, t1, j1 = health(web_port), time.time(), journal_bytes(d)
        time.sleep(1.0)  # the clients take what was sent before the end
        stop.set()
        for c in clients:
            c.join(5)
        rss.append(rss_kb(web.pid))
        ref.send_signal(signal.SIGTERM)
        ref.wait(10)
        ref_ids = []
        with open(f'{d}/ref.jsonl') as f:
            for line in f:
                try:
                    ref_ids.append(json.loads(line)['seq'])
                except (ValueError, KeyError):
                    pass
        rate = (h1['next_seq'] - h0['next_seq']) / (t1 - t0)
        out = {'rate': rate, 'feed': (j1 - j0) / (t1 - t0), 'rss_kb': (rss[0], max(rss), rss[-1]), 'rss_series': rss}
        if load:
            lat.sort()
            out['requests'] = n
            out['statuses'] = statuses
            out['lat_ms'] = (lat[len(lat) // 2] * 1e3, lat[int(len(lat) * 0.99)] * 1e3, lat[-1] * 1e3)
            ref_set = set(ref_ids)
            missing, received, gaps, errs = 0, 0, 0, 0
            for c in clients:
                errs += c.err is not None
                gaps += c.gaps
                received += len(c.ids)
                if not c.ids:
                    continue
                span = [s for s in ref_ids if c.ids[0] <= s <= c.ids[-1]]
                got = set(c.ids)
                missing += 0 if c.gaps else sum(1 for s in span if s not in got)
                missing += sum(1 for s in c.ids if s not in ref_set and s <= ref_ids[-1])
            out.update(clients=len(clients), received=received, missing=missing, gaps=gaps, errors=errs,
                       ref=len(ref_ids))
        return out
    finally:
        for p in ps + [ref]:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in ps + [ref]:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        subprocess.run(['rm', '-rf', d])


base = run(False)
load = run(True)
print(f'web_load: {secs:.0f} s, load average {os.getloadavg()[0]:.2f}')
print(f'  tickfeed journal: {base["feed"] / 1e6:.2f} MB/s idle, {load["feed"] / 1e6:.2f} MB/s with the load '
      f'(ratio {load["feed"] / base["feed"]:.3f})')
print(f'  bus rate tickweb took: {base["rate"]:.0f} records/s idle, {load["rate"]:.0f} with the load '
      f'(ratio {load["rate"] / base["rate"]:.3f})')
print(f'  SSE: {load["clients"]} clients, {load["received"]} events received, {load["missing"]} missing '
      f'against ticksub ({load["ref"]} records), {load["gaps"]} gap events, {load["errors"]} errors')
print(f'  /api/bars: {load["requests"]} requests ({load["requests"] / secs:.0f}/s), statuses {load["statuses"]}, '
      f'latency p50 {load["lat_ms"][0]:.1f} ms, p99 {load["lat_ms"][1]:.1f} ms, max {load["lat_ms"][2]:.1f} ms')
r = load['rss_series']
print(f'  tickweb RSS (kB): idle run {base["rss_kb"][0]} -> {base["rss_kb"][2]}; load run at 0, 5, 10, 20 s and the end: '
      f'{r[0]}, {r[min(5, len(r) - 1)]}, {r[min(10, len(r) - 1)]}, {r[min(20, len(r) - 1)]}, {r[-1]} '
      f'(the ring of {65536} records fills in the first seconds)')
