#!/usr/bin/env python3
"""Writes examples/orders.json: realistic web-shop orders for order-processor.json.

Deterministic (fixed seed, Python's Mersenne Twister, no clock): running it
again gives the same bytes, so the committed orders.json can be regenerated
and diffed. Usage: gen_orders.py [COUNT] [OUT]   (defaults: 200, orders.json
next to this script).

Prices are decimal euros with two places, as a shop export would have them.
The order processor works in integer cents, so totals are exact.
"""
import json
import os
import random
import sys

SEED = 20260301

FIRST = ["Anna", "Lukas", "Mia", "Noah", "Emma", "Elias", "Sofia", "Paul", "Lena", "Jonas",
         "Clara", "Finn", "Marie", "Ben", "Lea", "Felix", "Julia", "Leon", "Sara", "Tom",
         "Chloe", "Hugo", "Ines", "Mateo", "Olivia", "Liam", "Zoe", "Oscar", "Nora", "Jan"]
LAST = ["Schmidt", "Müller", "Dubois", "Rossi", "García", "Jansen", "Novak", "Kowalski",
        "Smith", "Fischer", "Lefèvre", "Bianchi", "Martín", "de Vries", "Svoboda", "Nowak",
        "Brown", "Weber", "Moreau", "Ricci", "López", "Bakker", "Horvat", "Wójcik"]
CITIES = {
    "DE": [("Berlin", "10115"), ("Hamburg", "20095"), ("München", "80331"), ("Köln", "50667")],
    "FR": [("Paris", "75001"), ("Lyon", "69001"), ("Marseille", "13001")],
    "IT": [("Milano", "20121"), ("Roma", "00184"), ("Torino", "10121")],
    "ES": [("Madrid", "28001"), ("Barcelona", "08001"), ("Valencia", "46001")],
    "NL": [("Amsterdam", "1011"), ("Rotterdam", "3011"), ("Utrecht", "3511")],
    "PL": [("Warszawa", "00-001"), ("Kraków", "30-001")],
    "CZ": [("Praha", "110 00"), ("Brno", "602 00")],
    "AT": [("Wien", "1010"), ("Graz", "8010")],
}
COUNTRY_WEIGHTS = [("DE", 30), ("FR", 18), ("IT", 12), ("ES", 12), ("NL", 10), ("PL", 8),
                   ("CZ", 5), ("AT", 5)]
STREETS = {"DE": ["Hauptstraße", "Lindenallee", "Bahnhofstraße"], "FR": ["Rue de la Paix", "Avenue Foch"],
           "IT": ["Via Roma", "Corso Garibaldi"], "ES": ["Calle Mayor", "Gran Vía"],
           "NL": ["Kerkstraat", "Prinsengracht"], "PL": ["ulica Długa", "ulica Polna"],
           "CZ": ["Národní", "Vodičkova"], "AT": ["Ringstraße", "Mariahilfer Straße"]}
CATALOG = [
    # sku, name, category, unit price (EUR)
    ("SKU-1001", "USB-C charging cable 2m", "electronics", 12.99),
    ("SKU-1002", "Wireless mouse", "electronics", 24.90),
    ("SKU-1003", "Mechanical keyboard", "electronics", 119.00),
    ("SKU-1004", "27\" 4K monitor", "electronics", 349.00),
    ("SKU-1005", "Noise-cancelling headphones", "electronics", 229.99),
    ("SKU-1006", "USB-C docking station", "electronics", 189.50),
    ("SKU-1007", "Laptop stand, aluminium", "electronics", 39.95),
    ("SKU-2001", "Espresso machine", "kitchen", 499.00),
    ("SKU-2002", "Coffee beans 1kg", "kitchen", 18.40),
    ("SKU-2003", "Chef's knife 20cm", "kitchen", 79.00),
    ("SKU-2004", "Cast-iron pan 28cm", "kitchen", 54.99),
    ("SKU-3001", "Running shoes", "sports", 129.95),
    ("SKU-3002", "Yoga mat", "sports", 29.99),
    ("SKU-3003", "Road bike helmet", "sports", 89.00),
    ("SKU-3004", "Smartwatch", "sports", 279.00),
    ("SKU-4001", "Office chair, ergonomic", "furniture", 649.00),
    ("SKU-4002", "Standing desk frame", "furniture", 429.00),
    ("SKU-4003", "Desk lamp LED", "furniture", 45.50),
    ("SKU-5001", "Notebook A5, dotted", "stationery", 8.95),
    ("SKU-5002", "Fountain pen", "stationery", 34.00),
]
SEGMENTS = [("new", 35), ("returning", 50), ("vip", 15)]
STATUSES = [("paid", 60), ("shipped", 30), ("pending", 10)]
CHANNELS = [("web", 55), ("mobile", 35), ("marketplace", 10)]
SHIPPING = [("standard", 4.90, 65), ("express", 12.90, 25), ("pickup", 0.00, 10)]
DISCOUNTS = [(None, 75), ("SPRING10", 12), ("WELCOME5", 8), ("VIP20", 5)]
PAYMENTS = [("card", 55), ("paypal", 30), ("sepa", 10), ("invoice", 5)]


def pick(rng, weighted):
    """One entry of [(value..., weight)], by weight."""
    total = sum(w[-1] for w in weighted)
    r = rng.randrange(total)
    for w in weighted:
        r -= w[-1]
        if r < 0:
            return w[0] if len(w) == 2 else w[:-1]
    raise AssertionError("unreachable")


def make_customers(rng, count):
    customers = []
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        country = pick(rng, COUNTRY_WEIGHTS)
        city, postal = rng.choice(CITIES[country])
        email_local = (first + "." + last).lower().replace(" ", "").replace("ü", "ue") \
            .replace("è", "e").replace("í", "i").replace("ó", "o").replace("ć", "c")
        customers.append({
            "id": "CUS-%05d" % (1000 + i * 7),
            "name": "%s %s" % (first, last),
            "email": "%s%d@example.com" % (email_local, i),
            "segment": pick(rng, SEGMENTS),
            "country": country,
            "address": {
                "street": "%s %d" % (rng.choice(STREETS[country]), rng.randint(1, 180)),
                "city": city,
                "postalCode": postal,
                "country": country,
            },
        })
    return customers


def make_order(rng, seq, customer):
    lines = []
    for sku, name, category, price in rng.sample(CATALOG, rng.choice([1, 1, 1, 2, 2, 3, 4])):
        qty = rng.choice([1, 1, 1, 1, 1, 1, 2, 2, 3])
        lines.append({"sku": sku, "name": name, "category": category,
                      "quantity": qty, "unitPrice": price})
    method, cost = pick(rng, SHIPPING)
    day = 1 + seq * 30 // 200 % 28
    ts = "2026-03-%02dT%02d:%02d:%02dZ" % (day, rng.randint(6, 23), rng.randint(0, 59),
                                           rng.randint(0, 59))
    payment = pick(rng, PAYMENTS)
    return {
        "orderId": "ORD-2026-%06d" % (104200 + seq),
        "createdAt": ts,
        "status": pick(rng, STATUSES),
        "channel": pick(rng, CHANNELS),
        "currency": "EUR",
        "customer": {k: customer[k] for k in ("id", "name", "email", "segment", "country")},
        "lines": lines,
        "shipping": {"method": method, "cost": cost, "address": customer["address"]},
        "discountCode": pick(rng, DISCOUNTS),
        "payment": {"method": payment,
                    "last4": "%04d" % rng.randint(0, 9999) if payment == "card" else None},
        "notes": rng.choice(["", "", "", "Leave at the door", "Gift wrap, please",
                             "Call before delivery", "Invoice to company address"]),
    }


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "orders.json")
    rng = random.Random(SEED)
    customers = make_customers(rng, max(1, count // 3))
    orders = [make_order(rng, i, rng.choice(customers)) for i in range(count)]
    with open(out, "w", encoding="utf-8") as f:
        json.dump(orders, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
