-- Return pages chosen per checkout (issue 17): where the Worker sends the shopper back after
-- Tamara's hosted page. Templates with {order_id} / {reason}, each on an allowed origin (checked
-- when the checkout is created, and again on the final URL). NULL: the environment's
-- RETURN_*_URL (wrangler.toml), by default STORE_URL's thank-you.html / cart.html.
ALTER TABLE orders ADD COLUMN return_success_url TEXT;
ALTER TABLE orders ADD COLUMN return_failure_url TEXT;
ALTER TABLE orders ADD COLUMN return_cancel_url TEXT;
