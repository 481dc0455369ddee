-- Demo catalog (SAR, VAT-inclusive prices). image_url values are relative to the storefront (www/).
INSERT INTO catalog (sku, name, name_ar, price_minor, currency, image_url, active) VALUES
  ('TSHIRT-1',  'Cotton T-shirt',        'تيشيرت قطني',        5750,  'SAR', 'images/tshirt.svg',  1),
  ('ABAYA-1',   'Classic black abaya',   'عباية سوداء كلاسيكية', 45000, 'SAR', 'images/abaya.svg',   1),
  ('SNEAKER-1', 'Running sneakers',      'حذاء رياضي للجري',    32999, 'SAR', 'images/sneaker.svg', 1),
  ('DATES-1',   'Ajwa dates gift box',   'علبة تمر عجوة',       11500, 'SAR', 'images/dates.svg',   1),
  ('WATCH-1',   'Smart watch',           'ساعة ذكية',           129900,'SAR', 'images/watch.svg',   1),
  ('MUG-1',     'Arabic coffee cups (6)','فناجين قهوة عربية (6)', 4500,  'SAR', 'images/cups.svg',    1);
