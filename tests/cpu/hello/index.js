// The floor for `make cpu`: the smallest Worker, run under the same `wrangler dev` as Openslot,
// so what the runtime itself spends per request is measured the same way and subtracted.
export default {
  async fetch() {
    return new Response("hello", { headers: { "content-type": "text/plain" } });
  },
  async scheduled() {},
};
