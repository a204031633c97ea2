-- A small web shop's database, used by the how-to guides. Portable SQL: it loads into
-- SQLite, PostgreSQL and MariaDB as it is. Every person in it is fictional.
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  email VARCHAR(254) NOT NULL,
  full_name VARCHAR(200) NOT NULL,
  phone VARCHAR(40),
  signed_up DATE NOT NULL,
  closed_at DATE
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers (id),
  placed DATE NOT NULL,
  delivery_address VARCHAR(300) NOT NULL,
  total_cents INTEGER NOT NULL
);
INSERT INTO customers VALUES (1, 'ada.lindqvist@example.com', 'Ada Lindqvist', '+4520000101', '2024-03-02', NULL);
INSERT INTO customers VALUES (2, 'bo.kjaer@example.com', 'Bo Kjær', NULL, '2023-01-15', '2025-02-10');
INSERT INTO orders VALUES (10, 1, '2024-03-05', 'Testvej 1, 8000 Aarhus C', 34900);
INSERT INTO orders VALUES (11, 1, '2025-06-20', 'Testvej 1, 8000 Aarhus C', 12900);
INSERT INTO orders VALUES (12, 2, '2023-02-01', 'Prøvegade 7, 5000 Odense C', 9900);
