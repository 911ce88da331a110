"""Lines trafilatura keeps that are not the article: teasers, share bars, credits, boxes.

trafilatura works on the page's structure; what it leaves inside the article's own
container is the site's furniture written as text: "Leggi anche: ...", "Ti potrebbe
interessare", "Seguici su Facebook", "Iscriviti alla newsletter", photo credits,
"© Riproduzione riservata", an author box, the headline repeated as the first line.
These are recognised line by line, by their wording and shape, never by site.

A lead-in ("Leggi anche", "You may also like", "Most read") also takes the list of
short headline-like lines right after it; a closing box ("L'autore", "About the author")
takes what follows it to the end when that is short.
"""

from __future__ import annotations

import re

from rassegna.extraction.bylines import _dates_in

# Words a dateline carries beside its date: weekdays, time zones, byline glue.
_DATELINE_WORDS = frozenset(
    "pubblicato pubblicata il alle ore aggiornato aggiornata ultimo aggiornamento di da published updated posted on at by "
    "am pm a m p est edt pst pdt gmt utc cet cest bst ist amt et pt ct publié le mis à jour am um uhr veröffentlicht "
    "publicado el de às "
    "lunedì martedì mercoledì giovedì venerdì sabato domenica lunedi martedi mercoledi giovedi venerdi "
    "monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun "
    "segunda terça quarta quinta sexta feira sábado".split()
)

# A whole line that is furniture (matched against the stripped line, case-insensitive).
_LINE = re.compile(
    r"^(?:"
    # related-content lead-ins, alone or followed by a headline
    r"(?:leggi|vedi|guarda|ascolta)\s+anche\b.*|(?:ti|vi)\s+potrebbe(?:ro)?\s+interessare\b.*|potrebbe\s+interessarti\b.*"
    r"|articoli\s+correlati\b.*|notizie\s+correlate\b.*|approfondimenti\s*:?|per\s+approfondire\s*:.*|(?:i\s+)?pi[uù]\s+lett[ie]\b.*"
    r"|related(?:\s+(?:articles?|stories|posts?|content|coverage|reading))?\s*:.*|\[related:.*\]|related\s+(?:articles?|stories|posts?)"
    r"|(?:read|see)\s+more\s*:.*|(?:read|see)\s+more\s*:?|see\s+also\s*:.*|also\s+on\s+\S+\.\w+\b.*|also\s+read\s*:.*"
    r"|you\s+(?:may|might)\s+also\s+(?:like|enjoy)\b.*|more\s+from\b.{0,60}|most\s+(?:read|popular)\b.{0,60}"
    r"|don['’]?t\s+miss\s*:?|recommended(?:\s+for\s+you)?\s*:?|more\s*:|also\s*:|trending(?:\s+now)?\s*:?"
    # share bars, follow and newsletter boxes
    r"|condividi(?:\s+(?:su|l'articolo|questo articolo|la notizia))?\b.{0,60}|share(?:\s+(?:this|on|via))?\b.{0,60}"
    r"|(?:seguici|segui(?:ci)?\s+\S+)\s+su\s+(?:facebook|twitter|instagram|telegram|whatsapp|linkedin|x|youtube|google\s+news)\b.*"
    r"|follow\s+.{0,80}\b(?:on|at)\s+(?:facebook|twitter|instagram|linkedin|youtube|x)\b.*"
    r"|iscriviti\s+(?:alla|alle|al)\s+(?:nostra\s+)?(?:newsletter|canale)\b.*|ricevi\s+(?:le\s+)?(?:notizie|news|aggiornamenti)\b.*"
    r"|(?:sign\s+up|subscribe)\s+(?:to|for)\b.{0,120}(?:newsletter|inbox|alerts?|today|free)\b.*"
    r"|get\s+the\s+(?:latest|day['’]?s)\b.{0,120}\b(?:inbox|newsletter)\b.*"
    r"|like\s+this\s+story\?.*|have\s+a\s+tip\?.*"
    # credits, reading time, tags, comments, rights
    r"|(?:foto|photo|ph\.?|credit[is]?|crediti|immagine|image|fonte\s+foto|in\s+foto|nella\s+foto)\s*(?::|©|\bby\b)\s*.{0,120}"
    r"|©.{0,120}|\(c\)\s.{0,100}|copyright\b.{0,120}|(?:©\s*)?riproduzione\s+riservata\.?|tutti\s+i\s+diritti\s+riservati\.?"
    r"|all\s+rights\s+reserved\.?"
    r"|tempo\s+(?:di|de)\s+(?:lettura|leitura)\s*:?.{0,20}|(?:\d+\s+)?min(?:uti|utes?)?\s+(?:di\s+lettura|read)|reading\s+time\s*:?.{0,20}"
    r"|(?:tag|tags|argomenti|filed\s+under)\s*:.*|tags|argomenti|commenti|comments|\d*\s*comments?|\d*\s*commenti"
    r"|source\s*:\s*.{0,60}|fonte\s*:\s*.{0,60}"
    r"|.{0,200}click\s+to\s+tweet"
    # wire and reporting credits, contact lines
    r"|\(?(?:additional\s+)?reporting\s+by\b.{0,250}|.{0,120}\bcontributed\s+(?:reporting|to\s+this\s+report)\b.{0,80}"
    r"|editing\s+by\b.{0,120}|.{0,120}\bmay\s+be\s+reached\s+at\b.*|reach\s+the\s+reporters?\b.*"
    r"|(?:email|e-mail|contact|write\s+to|scrivi\s+a)\s+.{0,60}\S+@\S+.*|\S+@\S+\.\w+"
    # reprint notices and the page's own form messages
    r"|this\s+copy\s+is\s+for\s+your\s+personal\b.*|(?:[-–•]\s*)?(?:order\s+reprints|print\s+(?:this\s+)?article|stampa(?:\s+articolo)?)"
    r"|this\s+article\s+has\s+been\s+sent\s+to\b.*|an\s+error\s+(?:has\s+)?occurred\b.{0,60}|thank\s+you!?|grazie!?"
    r"|si\s+è\s+verificato\s+un\s+errore\b.{0,60}|.{0,40}\bnewsletter"
    r"|.{0,120}\bfollow\s+(?:us|him|her|me|them)\b.{0,120}(?:twitter|facebook|instagram|@).*"
    # a bare link, or "Listen: <link>"
    r"|[\w ]{1,20}:\s*(?:https?://|www\.|(?:[\w-]+\.)+(?:com|it|org|net|eu)/)\S+"
    # "Updated at 1:23 p.m.", "Aggiornato alle 10:30"
    r"|(?:updated|aggiornato|ultimo\s+aggiornamento)\s*(?:at|alle|il|:)?\s*[\d:.]+\s*(?:[ap]\.?m\.?)?"
    r")$",
    re.IGNORECASE,
)
# Furniture anywhere in a short line: a newsletter pitch, a credit with its ©.
_SHORT_LINE = 250
_IN_SHORT_LINE = re.compile(
    r"\b(?:sign\s+up|subscribe|iscriviti|abbonati|registrati)\b.{0,100}\b(?:newsletter|inbox|notifiche|casella)\b"
    r"|^.{0,140}©.{0,60}$",
    re.IGNORECASE,
)
# Lead-ins after which comes a list of headlines (kept away while lines stay short).
_LEAD_IN = re.compile(
    r"^(?:(?:leggi|vedi|guarda)\s+anche|(?:ti|vi)\s+potrebbe(?:ro)?\s+interessare|potrebbe\s+interessarti|articoli\s+correlati"
    r"|notizie\s+correlate|approfondimenti|(?:i\s+)?pi[uù]\s+lett[ie].*|related(?:\s+\w+)?|you\s+(?:may|might)\s+also\s+(?:like|enjoy)"
    r"|more\s+from.*|most\s+(?:read|popular).*|don'?t\s+miss|recommended(?:\s+for\s+you)?|trending(?:\s+now)?|see\s+more|more|also)"
    r"\s*:?$",
    re.IGNORECASE,
)
# A closing box about the author: it and the short lines after it go.
_AUTHOR_BOX = re.compile(r"^(?:l'autore|l’autore|chi\s+è\s+\S+.*|about\s+the\s+author|sull'autore|biografia)\s*:?$", re.IGNORECASE)
# A headline-list item: short, no sentence end.
_HEADLINE_ITEM = re.compile(r"^(?:[-–•·*]\s*)?.{1,140}$")
_SENTENCE_END = re.compile(r"[.!?…»\"”]\s*$")


def _is_dateline(line: str) -> bool:
    """A short line that is a byline's date ("November 20, 2019 - 11:28", "Pubblicato il 3 luglio 2025")."""
    if len(line) > 100:
        return False
    found = _dates_in(line, english_us=False)
    if not found:
        return False
    rest = line
    for start, end, _when, _has_time in reversed(found):
        rest = rest[:start] + " " + rest[end:]
    words = [w for w in re.findall(r"[^\W\d_]+", rest) if w.lower() not in _DATELINE_WORDS]
    # "11/19/2019 by Patrick Shanley", "3 luglio 2025 di Marta Zanin": a date and its author.
    signed = re.search(r"\b(?:by|di|da|von|par|por)\s+[A-Z]", rest) is not None
    return len(words) <= (3 if signed else 1)


def label_key(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def _is_tag_list(line: str) -> bool:
    """A closing list of keywords: "stock car 2018, stock car brasil, ..." (no sentence in it)."""
    items = [x.strip() for x in line.split(",")]
    return (
        len(items) >= 5
        and not _SENTENCE_END.search(line)
        and all(0 < len(x.split()) <= 4 for x in items)
    )


def strip_boilerplate(text: str, title: str | None = None, page_labels: frozenset[str] = frozenset()) -> str:
    """The article text without furniture lines; the rest unchanged, in order.

    `page_labels` are texts the page itself marks as not the article's prose: its
    headlines (h1, og:title, JSON-LD headline, <title>) and its image captions,
    normalised with `label_key`; a line equal to one of them goes.
    """
    lines = text.split("\n")
    kept: list[str] = []
    in_list = False
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            kept.append(line)
            i += 1
            continue
        if _AUTHOR_BOX.match(stripped):
            rest = [x for x in lines[i + 1 :] if x.strip()]
            if sum(len(x) for x in rest) < 600:
                break
        if _LEAD_IN.match(stripped):
            in_list = True
            i += 1
            continue
        if in_list and _HEADLINE_ITEM.match(stripped) and not _SENTENCE_END.search(stripped):
            i += 1
            continue
        in_list = False
        if (
            _LINE.match(stripped)
            or _is_dateline(stripped)
            or (page_labels and label_key(stripped) in page_labels)
            or (len(stripped) <= _SHORT_LINE and _IN_SHORT_LINE.search(stripped))
        ):
            i += 1
            continue
        kept.append(line)
        i += 1
    last = next((n for n in range(len(kept) - 1, -1, -1) if kept[n].strip()), None)
    if last is not None and _is_tag_list(kept[last].strip()):
        del kept[last]
    # The headline repeated as the text's first line (the title is stored apart).
    first = next((n for n, x in enumerate(kept) if x.strip()), None)
    if first is not None and title and label_key(kept[first]) == label_key(title):
        del kept[first]
    return "\n".join(kept).strip()
