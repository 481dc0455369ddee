// Minimal pass-through Worker: the baseline for scripts/bench (tamara-e2e `worker-bench`).
// It does what any Worker in front of Tamara must do at least — one outbound fetch to the
// sandbox per request — and nothing else: no validation, no D1, no pricing, no idempotency.
//   POST /api/checkout   → POST {TAMARA_API_BASE}/checkout with a fixed Tamara body
//                          (fresh order_reference_id), answers the sandbox's status and body.
//   POST /tamara/webhook → GET {TAMARA_API_BASE}/merchants/orders/{order_id} (the real Worker
//                          re-reads the order the same way), answers {"ok":true}.
// Everything else → 404.

const ORDER = {
  total_amount: { amount: 115.0, currency: "SAR" },
  shipping_amount: { amount: 0, currency: "SAR" },
  tax_amount: { amount: 0, currency: "SAR" },
  items: [{
    reference_id: "TSHIRT-1", type: "Physical", name: "Cotton T-shirt", sku: "TSHIRT-1", quantity: 2,
    unit_price: { amount: 57.5, currency: "SAR" }, total_amount: { amount: 115.0, currency: "SAR" },
  }],
  consumer: { first_name: "Mona", last_name: "Ali", phone_number: "544337866", email: "mona@example.com" },
  country_code: "SA",
  description: "pass-through benchmark order",
  shipping_address: { first_name: "Mona", last_name: "Ali", line1: "King Fahd Rd", city: "Riyadh", country_code: "SA", phone_number: "544337866" },
  payment_type: "PAY_BY_INSTALMENTS",
  instalments: 4,
  locale: "en_US",
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const base = env.TAMARA_API_BASE;
    if (request.method === "POST" && url.pathname === "/api/checkout") {
      await request.arrayBuffer(); // read the shopper's body like the real Worker does
      const reference = crypto.randomUUID();
      const body = {
        ...ORDER,
        order_reference_id: reference,
        order_number: reference,
        merchant_url: {
          success: `${env.PUBLIC_URL}/tamara/success`,
          failure: `${env.PUBLIC_URL}/tamara/failure`,
          cancel: `${env.PUBLIC_URL}/tamara/cancel`,
          notification: `${env.PUBLIC_URL}/tamara/webhook`,
        },
      };
      const r = await fetch(`${base}/checkout`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${env.TAMARA_API_TOKEN}` },
        body: JSON.stringify(body),
      });
      return new Response(await r.text(), {
        status: r.ok ? 201 : r.status,
        headers: { "content-type": "application/json" },
      });
    }
    if (request.method === "POST" && url.pathname === "/tamara/webhook") {
      let orderId = "";
      try {
        orderId = String((await request.json()).order_id ?? "");
      } catch {
        return Response.json({ error: { code: "invalid_json", message: "bad body" } }, { status: 400 });
      }
      const r = await fetch(`${base}/merchants/orders/${encodeURIComponent(orderId)}`, {
        headers: { authorization: `Bearer ${env.TAMARA_API_TOKEN}` },
      });
      await r.arrayBuffer();
      return Response.json({ ok: true }, { status: r.ok ? 200 : 502 });
    }
    return Response.json({ error: { code: "not_found", message: "not found" } }, { status: 404 });
  },
};
