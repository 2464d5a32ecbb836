/**
 * A TCP proxy for fault injection: tests point a client at it instead of at the server and then
 * make the network misbehave. `stall()` stops forwarding in both directions while every socket
 * stays open (a blackholed network or a SIGSTOPped server: nothing arrives, nothing fails);
 * `failover()` leaves the stalled connections stalled for good and forwards new ones (the old
 * server is gone without a word, a new one answers); `cut()` closes every connection;
 * `refuse()` stops listening, so new connections get `ECONNREFUSED`, until `accept()`.
 */
import net from "node:net";

/** What the proxy forwards to. */
export interface ProxyTarget {
  readonly host: string;
  readonly port: number;
}

export interface TcpProxy {
  /** The port it listens on (127.0.0.1); stays the same across `refuse()` and `accept()`. */
  readonly port: number;
  /** Connections open now, besides those left behind by `failover()`. */
  readonly openConnections: number;
  /** Connections accepted since the start. */
  readonly acceptedConnections: number;
  /** Stops forwarding on every connection, open now or made later, without closing any. */
  stall(): void;
  /** Forwards again, delivering whatever was held back. */
  resume(): void;
  /** Forwards new connections again; the connections stalled now stay stalled until `cut()` or `close()`. */
  failover(): void;
  /** Destroys every open connection (both sides). */
  cut(): void;
  /** Stops listening: new connections are refused; open ones are left alone. */
  refuse(): Promise<void>;
  /** Listens again on the same port. */
  accept(): Promise<void>;
  /** Destroys every connection and stops listening. */
  close(): Promise<void>;
}

/** One client connection and the connection to the target made for it. */
interface Pair {
  readonly client: net.Socket;
  readonly upstream: net.Socket;
}

/** Starts a proxy on a free port of 127.0.0.1 that forwards to `target`. */
export async function startTcpProxy(target: ProxyTarget): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  /** Connections left behind by `failover()`: never forwarded again. */
  const lost = new Set<Pair>();
  let stalled = false;
  let accepted = 0;
  let server: net.Server | null = null;
  let port = 0;

  function forward(from: net.Socket, to: net.Socket): void {
    from.on("data", (chunk: Buffer) => {
      to.write(chunk);
    });
    // A paused socket emits `end` only once resumed: a half-close waits out a stall like data does.
    from.on("end", () => to.end());
    from.on("error", () => to.destroy());
    from.on("close", () => to.destroy());
  }

  function onConnection(client: net.Socket): void {
    accepted += 1;
    const upstream = net.connect(target.port, target.host);
    const pair: Pair = { client, upstream };
    pairs.add(pair);
    if (stalled) {
      client.pause();
      upstream.pause();
    }
    forward(client, upstream);
    forward(upstream, client);
    client.on("close", () => {
      pairs.delete(pair);
      lost.delete(pair);
    });
  }

  async function listen(): Promise<void> {
    const fresh = net.createServer(onConnection);
    await new Promise<void>((resolve, reject) => {
      fresh.once("error", reject);
      fresh.listen(port, "127.0.0.1", () => {
        fresh.off("error", reject);
        resolve();
      });
    });
    const address = fresh.address();
    if (address === null || typeof address === "string") throw new Error("tcp-proxy: no TCP address");
    port = address.port;
    server = fresh;
  }

  async function stopListening(): Promise<void> {
    const current = server;
    server = null;
    if (!current) return;
    // `close` stops accepting at once; its callback waits for open connections, which stay.
    current.close();
  }

  function destroyAll(): void {
    for (const pair of [...pairs, ...lost]) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    pairs.clear();
    lost.clear();
  }

  await listen();

  return {
    get port() {
      return port;
    },
    get openConnections() {
      return pairs.size;
    },
    get acceptedConnections() {
      return accepted;
    },
    stall() {
      stalled = true;
      for (const pair of pairs) {
        pair.client.pause();
        pair.upstream.pause();
      }
    },
    resume() {
      stalled = false;
      for (const pair of pairs) {
        pair.client.resume();
        pair.upstream.resume();
      }
    },
    failover() {
      stalled = false;
      for (const pair of pairs) lost.add(pair);
      pairs.clear();
    },
    cut: destroyAll,
    refuse: stopListening,
    async accept() {
      if (!server) await listen();
    },
    async close() {
      destroyAll();
      await stopListening();
    },
  };
}
