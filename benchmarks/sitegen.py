"""Generate an N-page local news outlet for benchmarks: a sitemap plus article pages.

Pages are built from sentences written for this purpose and picked by a seeded
random generator, wrapped in the boilerplate real outlets carry (menu, cookie
banner, most-read sidebar, comments, footer), about 12 KB each.
"""

from __future__ import annotations

import random
from pathlib import Path

_SUBJECTS = ["Il distretto", "La filiera", "Il consorzio", "L'azienda", "La cooperativa", "Il gruppo", "La startup"]
_VERBS = ["ha presentato", "ha annunciato", "ha chiuso", "ha avviato", "sta valutando", "ha completato"]
_OBJECTS = [
    "un piano di investimenti in nuove linee produttive",
    "un accordo con un distributore statunitense",
    "l'apertura di una sede commerciale a Milano",
    "un programma di formazione per i tecnici",
    "un bilancio in crescita rispetto all'anno precedente",
    "la certificazione ambientale dei suoi stabilimenti",
]
_TAILS = [
    "secondo quanto riferito dall'amministratore delegato.",
    "con ricadute attese sull'occupazione locale.",
    "in un mercato che resta incerto.",
    "grazie anche al sostegno delle banche del territorio.",
    "dopo mesi di trattative.",
]
_MENTIONS = [
    "Tra le imprese citate c'era anche Galdi di Postioma, specializzata nel confezionamento.",
    "Il programma Imprese Vincenti di Intesa Sanpaolo ha accompagnato l'azienda negli Stati Uniti.",
    "Rain, che a Cerro Maggiore sviluppa sistemi di irrigazione intelligente, ha partecipato all'incontro.",
    "La pioggia, o rain come dicono gli ospiti americani, ha accompagnato la visita.",
]


_SYLLABLES = ["ba", "ce", "di", "fo", "gu", "la", "me", "ni", "po", "ru", "sa", "te", "vi", "zo", "an", "el"]
_PLACES = ["Treviso", "Padova", "Udine", "Bari", "Lecce", "Bergamo", "Brescia", "Modena", "Vicenza", "Pordenone",
           "Taranto", "Cremona", "Rovigo", "Foggia", "Lodi", "Parma", "Aosta", "Trento"]


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).title()


def _sentence(rng: random.Random) -> str:
    # Names, places and figures vary from sentence to sentence, as in real news: pages
    # built only from the stock phrases would all look like copies of one story.
    return (f"{rng.choice(_SUBJECTS)} {_name(rng)} di {rng.choice(_PLACES)} {rng.choice(_VERBS)}"
            f" {rng.choice(_OBJECTS)} da {rng.randint(2, 900)} milioni, {rng.choice(_TAILS)}")


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))


def _page(i: int, rng: random.Random) -> str:
    paragraphs = [_paragraph(rng) for _ in range(rng.randint(5, 9))]
    if i % 7 == 0:
        paragraphs.insert(2, rng.choice(_MENTIONS))
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    menu = "".join(f'<li><a href="/sezione/{s}/">{s.title()}</a></li>' for s in ("economia", "lavoro", "territorio", "sport", "cultura"))
    most_read = "".join(f'<li><a href="/a/{(i + k) % 97}.html">Notizia più letta numero {k}</a></li>' for k in range(8))
    comments = "".join(f"<div class=\"comment\"><p>Commento {k}: {_paragraph(rng)[:160]}</p></div>" for k in range(3))
    return f"""<!doctype html>
<html lang="it"><head><meta charset="utf-8"><title>Notizia {i} | Giornale di Prova</title>
<meta property="og:type" content="article"><meta property="og:site_name" content="Giornale di Prova">
<link rel="canonical" href="{{{{BASE}}}}/a/{i}.html">
<meta property="article:published_time" content="2025-09-{1 + i % 28:02d}T{i % 24:02d}:15:00+02:00">
</head><body>
<header><nav><ul>{menu}</ul></nav></header>
<div id="cookie-banner">Questo sito usa cookie tecnici e di profilazione. Accetta o rifiuta.</div>
<main><article><h1>Notizia economica numero {i}</h1>
<p class="byline">di Redazione</p>
{body}
</article>
<section id="comments"><h2>Commenti</h2>{comments}</section></main>
<aside class="most-read"><h3>Più letti</h3><ul>{most_read}</ul></aside>
<footer><p>Giornale di Prova srl, registrazione del tribunale n. 1/2020. Tutti i diritti riservati.</p></footer>
</body></html>
"""


def _realistic_page(i: int, rng: random.Random) -> str:
    """A page the size and shape of a real one (benchmarks/newspages.py), same mention rate."""
    from newspages import page

    html, _ = page(rng, rng.choice(_MENTIONS) if i % 7 == 0 else None)
    return html.replace("<head>", f'<head><link rel="canonical" href="{{{{BASE}}}}/a/{i}.html">', 1)


def generate(root: Path, pages: int, seed: int = 7, realistic: bool = False) -> Path:
    """Write the outlet `bench` under root; returns the outlet folder.

    `realistic`: pages of 40-400 KB with real-world markup depth instead of ~12 KB ones."""
    rng = random.Random(seed)
    outlet = root / "bench"
    (outlet / "a").mkdir(parents=True, exist_ok=True)
    urls = []
    for i in range(pages):
        html = _realistic_page(i, rng) if realistic else _page(i, rng)
        (outlet / "a" / f"{i}.html").write_text(html, "utf-8")
        urls.append(f"<url><loc>{{{{BASE}}}}/a/{i}.html</loc></url>")
    (outlet / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(urls) + "\n</urlset>\n",
        "utf-8",
    )
    (outlet / "robots.txt").write_text("User-agent: *\nAllow: /\n", "utf-8")
    return outlet
