"""Generate news pages the size and shape of real ones, for the archive-scan benchmark.

Real news pages are 50-400 KB: a long head (meta tags, inline CSS, JSON-LD, tracking
and framework scripts), a mega menu many levels deep, the article itself (a few KB of
text with links and emphasis), dozens of related-article teasers with responsive
images, and a footer. The text is built from words written for this purpose.
"""

from __future__ import annotations

import random

_IT = ("il la di che per con una sono nel alla dei delle anche più azienda mercato crescita lavoro territorio "
       "impresa sviluppo progetto investimenti regione comune sindaco presidente accordo settore produzione "
       "export fatturato dipendenti stabilimento filiera innovazione tecnologia ricerca giovani formazione "
       "bilancio milioni euro anno mesi settimana scorsa prossimo nuovo nuova grande piccole medie").split()
_EN = ("the of and to in is that for with was on are as by this from it have company market growth jobs city "
       "mayor council plan investment region business industry technology research students program report "
       "million dollars year months week last next new large small local state federal official said would").split()
_CLASSES = ["container", "row", "col", "wrapper", "inner", "grid", "item", "card", "media", "block", "flex",
            "menu", "nav", "sub", "list", "link", "teaser", "title", "thumb", "meta", "widget", "sidebar"]


def _words(rng: random.Random, vocab: list[str], n: int) -> str:
    return " ".join(rng.choice(vocab) for _ in range(n))


def _sentence(rng: random.Random, vocab: list[str]) -> str:
    text = _words(rng, vocab, rng.randint(8, 24))
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", ",", ";"]) + " "


def _cls(rng: random.Random) -> str:
    return " ".join(f"{rng.choice(_CLASSES)}-{rng.choice(_CLASSES)}{rng.randint(0, 99)}" for _ in range(rng.randint(1, 3)))


def _script(rng: random.Random, size: int) -> str:
    parts, total = [], 0
    while total < size:
        name = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 8)))
        chunk = (f"var {name}=function(e,t){{return e&&t<{rng.randint(0, 999)}?e[\"{name}\"]:t.{rng.choice(_CLASSES)}"
                 f"({rng.randint(0, 9999)})}};")
        parts.append(chunk)
        total += len(chunk)
    return "<script>" + "".join(parts) + "</script>\n"


def _css(rng: random.Random, size: int) -> str:
    parts, total = [], 0
    while total < size:
        chunk = (f".{rng.choice(_CLASSES)}-{rng.choice(_CLASSES)}{rng.randint(0, 99)}{{margin:{rng.randint(0, 40)}px;"
                 f"color:#{rng.randint(0, 0xFFFFFF):06x};display:flex}}")
        parts.append(chunk)
        total += len(chunk)
    return "<style>" + "".join(parts) + "</style>\n"


def _menu(rng: random.Random, depth: int, width: int) -> str:
    if depth == 0:
        return ""
    items = "".join(
        f'<li class="{_cls(rng)}"><a href="/{_words(rng, _CLASSES, 2).replace(" ", "/")}/" class="{_cls(rng)}">'
        f'<span>{_words(rng, _CLASSES, 1).title()}</span></a>{_menu(rng, depth - 1, max(2, width // 2))}</li>'
        for _ in range(width)
    )
    return f'<ul class="{_cls(rng)}">{items}</ul>'


def _nest(rng: random.Random, inner: str, depth: int) -> str:
    for _ in range(depth):
        inner = f'<div class="{_cls(rng)}">{inner}</div>'
    return inner


def _teasers(rng: random.Random, vocab: list[str], n: int) -> str:
    out = []
    for k in range(n):
        img = f"https://cdn.example.com/img/{rng.randint(0, 10**9)}"
        srcset = ", ".join(f"{img}-{w}.jpg {w}w" for w in (320, 640, 960, 1280))
        out.append(_nest(rng, f'<a href="/news/{rng.randint(0, 10**6)}.html"><img src="{img}.jpg" srcset="{srcset}"'
                              f' alt="{_words(rng, vocab, 5)}" loading="lazy"><h3 class="{_cls(rng)}">'
                              f'{_sentence(rng, vocab)}</h3></a><p>{_sentence(rng, vocab)}</p>', rng.randint(3, 6)))
    return "".join(out)


def page(rng: random.Random, mention: str | None = None, size_kb: int | None = None) -> tuple[str, str]:
    """(html, language) of one news page; `mention` is a sentence placed in the article body."""
    lang = "it" if rng.random() < 0.6 else "en"
    vocab = _IT if lang == "it" else _EN
    size = (size_kb or int(min(400, max(40, rng.lognormvariate(4.9, 0.5))))) * 1024
    paragraphs = [" ".join(_sentence(rng, vocab) for _ in range(rng.randint(3, 7))) for _ in range(rng.randint(6, 14))]
    for i in range(len(paragraphs)):
        if rng.random() < 0.4:
            words = paragraphs[i].split(" ")
            j = rng.randrange(len(words))
            words[j] = f'<a href="/tag/{words[j].strip(".,;")}">{words[j]}</a>' if rng.random() < 0.5 else f"<strong>{words[j]}</strong>"
            paragraphs[i] = " ".join(words)
    if mention:
        paragraphs.insert(rng.randint(1, len(paragraphs) - 1), mention)
    title = _sentence(rng, vocab).strip(" .,;")
    article = (f'<article class="{_cls(rng)}"><h1>{title}</h1><p class="byline">{_words(rng, vocab, 3)}</p>'
               + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article>")
    head = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="og:type" content="article"><meta property="og:title" content="{title}">'
            f'<meta property="article:published_time" content="2025-09-{rng.randint(1, 28):02d}T10:00:00+02:00">'
            '<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
            f'"headline":"{title}","datePublished":"2025-09-10T10:00:00+02:00"}}</script>')
    menu = _nest(rng, _menu(rng, 3, 7), rng.randint(4, 8))
    body_start = f'<body class="{_cls(rng)}"><header>{menu}</header><main>'
    main = _nest(rng, article, rng.randint(8, 14))
    sidebar = f'<aside>{_teasers(rng, vocab, rng.randint(10, 30))}</aside>'
    footer = f'<footer>{_menu(rng, 2, 8)}<p>{_sentence(rng, vocab)}</p></footer></main>'
    fixed = len(head) + len(body_start) + len(main) + len(sidebar) + len(footer) + 40
    budget = max(2048, size - fixed)
    head += _css(rng, budget // 3) + _script(rng, budget // 3) + "</head>"
    tail = _teasers(rng, vocab, max(1, (budget // 3) // 1500)) + _script(rng, 2048) + "</body></html>"
    return head + body_start + main + sidebar + footer + tail, lang
