"""Near-duplicate stories: copies of one release join one story, independent articles on its topic do not.

The texts are fictional, written for these tests: a press release about Galdi at
the Imprese Vincenti / INNOVIT mission, four republications each built from the
release's paragraphs by explicit edits, and three independent articles on the
same mission.
"""

from __future__ import annotations

import itertools
import os
import random
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from rassegna import stories
from rassegna.stories import (
    BANDS,
    SLOTS,
    THRESHOLD,
    assign_stories,
    candidate_bands,
    distance,
    fingerprint,
    is_near,
    judgeable,
)

ROOT = Path(__file__).parent.parent

HEADLINE = "Galdi vola nella Silicon Valley con Imprese Vincenti: le macchine per il latte fresco incontrano gli investitori di San Francisco"

# The release, one string per paragraph, so that each republication's edits are explicit below.
P = {
    "lead": (
        "Postioma di Paese (Treviso), 18 settembre 2025 – Galdi Srl, azienda trevigiana che progetta e costruisce "
        "macchine per il riempimento e il confezionamento di alimenti liquidi, partecipa alla missione in Silicon "
        "Valley organizzata da Intesa Sanpaolo nell'ambito del programma Imprese Vincenti, in collaborazione con "
        "INNOVIT, l'Italian Innovation and Culture Hub di San Francisco. Per una settimana dodici piccole e medie "
        "imprese italiane incontreranno fondi di venture capital, università e grandi gruppi tecnologici della Bay Area."
    ),
    "product": (
        "La delegazione trevigiana porta in California la nuova linea di confezionatrici per cartoni a base di fibra "
        "riciclabile, sviluppata negli ultimi tre anni con un investimento di 4,2 milioni di euro. Le macchine lavorano "
        "fino a 12.000 confezioni l'ora e riducono del 30 per cento il consumo di energia rispetto alla generazione "
        "precedente, grazie a un sistema di sterilizzazione a raggi ultravioletti brevettato in azienda."
    ),
    "quote_company": (
        "«Andare a San Francisco significa confrontarci con chi sta ridisegnando la filiera alimentare con il software "
        "e i nuovi materiali» spiega Chiara Zanin, direttrice dell'innovazione di Galdi. «Non cerchiamo soltanto "
        "clienti: vogliamo capire come i dati raccolti dalle nostre linee possano aiutare i caseifici e le centrali del "
        "latte a ridurre gli sprechi, e trovare partner con cui sperimentarlo.»"
    ),
    "programme": (
        "Il calendario prevede visite ai laboratori della Stanford University, una sessione di lavoro con gli "
        "acceleratori del settore agroalimentare di Davis e incontri individuali con investitori selezionati dal team "
        "di INNOVIT. Ogni impresa ha preparato un piano di ingresso sul mercato nordamericano con i consulenti della "
        "Banca dei Territori di Intesa Sanpaolo."
    ),
    "quote_bank": (
        "«Le aziende di Imprese Vincenti dimostrano che l'eccellenza manifatturiera italiana nasce spesso in "
        "provincia, lontano dai riflettori» commenta Paolo Martelli, responsabile del programma per Intesa Sanpaolo. "
        "«Accompagnarle nella Silicon Valley vuol dire metterle davanti ai capitali e alle competenze che possono "
        "moltiplicarne la crescita.»"
    ),
    "company": (
        "Fondata nel 1988, Galdi impiega oggi 140 persone ed esporta in oltre 40 paesi, con un fatturato di 38 milioni "
        "di euro nel 2024. Negli Stati Uniti l'azienda ha già installato 25 linee, soprattutto presso cooperative "
        "lattiero-casearie del Wisconsin e della California."
    ),
    "next": (
        "Al rientro dalla missione Galdi presenterà i risultati degli incontri ai propri clienti durante la fiera "
        "Cibus Tec di Parma, dove esporrà il primo prototipo della linea connessa."
    ),
}
ORDER = ["lead", "product", "quote_company", "programme", "quote_bank", "company", "next"]

LEGGI_ANCHE = (
    "Leggi anche: Imprese Vincenti, le altre aziende del Nordest selezionate per il 2025\n"
    "Leggi anche: Export alimentare, cresce la domanda di macchinari dagli Stati Uniti\n"
    "Riproduzione riservata © Il Nordest Produttivo. Iscriviti alla newsletter per ricevere ogni mattina "
    "le notizie economiche del territorio."
)


def article(
    headline: str, paragraphs: list[str], intro: str = "", footer: str = "", swaps: dict[str, str] | None = None
) -> str:
    body = "\n\n".join([headline, *([intro] if intro else []), *(P[k] for k in paragraphs), *([footer] if footer else [])])
    for old, new in (swaps or {}).items():
        if old not in body:
            raise ValueError(f"edit {old!r} finds nothing to replace")
        body = body.replace(old, new)
    return body


ORIGINAL = article(HEADLINE, ORDER)

REPUBLISHED = {
    # New headline and intro sentence, the company-profile paragraph dropped, a few verbs changed.
    "treviso-economia": article(
        "Dal Trevigiano alla California: Galdi tra le dodici Pmi in missione a San Francisco",
        ["lead", "product", "quote_company", "programme", "quote_bank", "next"],
        intro="C'è anche un pezzo di Marca tra le imprese che in questi giorni bussano alle porte dei grandi investitori americani.",
        swaps={"partecipa alla": "prende parte alla", "incontreranno": "incontrano", "lavorano fino": "confezionano fino"},
    ),
    # New headline, the programme paragraph dropped, the outlet's "Leggi anche" boilerplate appended.
    "nordest-produttivo": article(
        "Galdi, missione in Silicon Valley per la nuova linea di confezionatrici",
        ["lead", "product", "quote_company", "quote_bank", "company", "next"],
        footer=LEGGI_ANCHE,
    ),
    # Quotes in the other order, attributions reworded, the closing paragraph dropped.
    "pmi-notizie": article(
        "Imprese Vincenti porta Galdi a San Francisco",
        ["lead", "product", "quote_bank", "programme", "quote_company", "company"],
        intro="Dalle colline trevigiane alla Bay Area, il viaggio di una delle eccellenze italiane del packaging alimentare.",
        swaps={"spiega Chiara": "racconta Chiara", "commenta Paolo": "sottolinea Paolo", "dodici piccole": "12 piccole"},
    ),
    # Everything at once: the technical paragraph dropped, quotes swapped, boilerplate, words changed.
    "agenzia-impresa": article(
        "Macchine per il latte e startup: la trasferta americana di Galdi",
        ["lead", "quote_bank", "programme", "quote_company", "company", "next"],
        intro="Una settimana in California per capire dove va l'industria alimentare.",
        footer=LEGGI_ANCHE,
        swaps={"azienda trevigiana": "impresa trevigiana", "ridurre gli sprechi": "tagliare gli sprechi", "oggi 140 persone": "140 dipendenti"},
    ),
}

SAME_TOPIC = {
    # Another company's release for the same mission, sharing the bank's sentence about the week in the Bay Area.
    "malvestio-release": (
        "Letti ospedalieri intelligenti: Malvestio in Silicon Valley con Intesa Sanpaolo\n\n"
        "Villanova di Camposampiero (Padova), 18 settembre 2025 – Il gruppo Malvestio, che dal dopoguerra produce letti "
        "e arredi per ospedali e residenze per anziani, è tra le aziende scelte per la missione in California del "
        "programma Imprese Vincenti, organizzata insieme a INNOVIT. Per una settimana dodici piccole e medie imprese "
        "italiane incontreranno fondi di venture capital, università e grandi gruppi tecnologici della Bay Area.\n\n"
        "L'azienda padovana presenta agli interlocutori americani un letto di degenza dotato di sensori che misurano "
        "la pressione sul materasso e avvisano il personale infermieristico quando un paziente rischia di sviluppare "
        "piaghe da decubito. Il prototipo è stato provato per diciotto mesi in tre reparti di geriatria del Veneto, "
        "con una riduzione delle lesioni che l'azienda stima in oltre un terzo.\n\n"
        "«Negli Stati Uniti la cura a domicilio e le strutture per la terza età crescono più in fretta che da noi, "
        "e chiedono prodotti capaci di dialogare con i sistemi informativi clinici» osserva Davide Sartor, "
        "responsabile dello sviluppo internazionale del gruppo. «A San Francisco vogliamo trovare un partner "
        "software e capire quali certificazioni servono per entrare negli ospedali californiani.»\n\n"
        "Tra gli appuntamenti in agenda ci sono un incontro con un incubatore specializzato in tecnologie per la "
        "salute di Palo Alto e una tavola rotonda con medici e ingegneri biomedici dell'Università della California. "
        "Malvestio conta oltre 300 dipendenti, due stabilimenti in provincia di Padova e una rete commerciale in "
        "35 paesi, e negli ultimi cinque anni ha raddoppiato gli investimenti in ricerca.\n\n"
        "«Partecipare alla missione è un modo per misurarci con il mercato più esigente del mondo» aggiunge Sartor. "
        "«Torneremo con contatti concreti e con idee da portare subito nei nostri laboratori.»"
    ),
    # A report on the programme by a journalist, naming several of the companies, Galdi among them.
    "programme-report": (
        "Dodici Pmi alla prova della Silicon Valley: come funziona la missione di Imprese Vincenti\n\n"
        "San Francisco – Macchine per il confezionamento, software per la tracciabilità, letti per ospedali, "
        "farine senza glutine e componenti per l'aerospazio: è un campionario dell'Italia produttiva quello che "
        "questa settimana gira tra Palo Alto, Mountain View e il centro di San Francisco. Le dodici aziende arrivano "
        "da Veneto, Friuli, Lombardia, Abruzzo, Puglia e Valle d'Aosta e sono state selezionate fra le centinaia "
        "che dal 2019 hanno partecipato al programma con cui Intesa Sanpaolo segue le piccole e medie imprese.\n\n"
        "La formula è cambiata rispetto alle prime edizioni. Non più soltanto visibilità e premi, ma un percorso "
        "di alcuni mesi che si chiude con il viaggio: prima gli incontri con gli analisti della banca sul piano "
        "industriale, poi la preparazione dei materiali in inglese, infine un'agenda costruita su misura insieme "
        "all'hub italiano dell'innovazione aperto in città alla fine del 2021. Gli organizzatori non nascondono "
        "che l'obiettivo è misurabile: accordi commerciali, progetti pilota, in qualche caso capitali.\n\n"
        "Fra le imprese c'è chi parte avvantaggiato. Galdi, che produce linee di riempimento per latte e succhi, "
        "negli Stati Uniti vende già da anni; Aton e Mac&Nil lavorano su software e telematica, terreni dove la "
        "concorrenza californiana è fortissima. Per altri, come chi costruisce mobili per ufficio o lavora la "
        "farina, la trasferta è soprattutto un modo per osservare da vicino clienti e tendenze.\n\n"
        "Resta da capire quanto di questi contatti si tradurrà in contratti. Le edizioni precedenti, raccontano "
        "in banca, hanno prodotto una manciata di accordi di distribuzione e due ingressi di fondi americani nel "
        "capitale di aziende italiane. Numeri piccoli, ma per imprese con cento o duecento dipendenti un solo "
        "cliente oltreoceano può cambiare il bilancio di un anno."
    ),
    # An interview with a (fictional) programme manager at INNOVIT.
    "innovit-interview": (
        "«Qui le aziende italiane imparano a raccontarsi»: intervista a Giulia Ferraris di INNOVIT\n\n"
        "Da quattro anni l'Italian Innovation and Culture Hub di San Francisco accoglie imprenditori, ricercatori e "
        "startup che vogliono mettere piede negli Stati Uniti. Giulia Ferraris, che segue i programmi per le "
        "imprese, ha preparato l'agenda della missione di Imprese Vincenti di questa settimana.\n\n"
        "Che cosa cercano le Pmi che arrivano fin qui?\n"
        "«Quasi tutte dicono di cercare investitori, ma il primo bisogno è un altro: capire come si presenta "
        "un'azienda a chi non conosce i distretti italiani. Un imprenditore trevigiano o pugliese dà per scontate "
        "cose che qui vanno spiegate in trenta secondi, a cominciare da che problema risolve e per chi.»\n\n"
        "E i fondi americani ascoltano?\n"
        "«Ascoltano chi ha numeri chiari e un piano per il mercato nordamericano. Abbiamo visto aziende "
        "manifatturiere con tecnologie eccellenti perdere l'attenzione dopo due minuti perché partivano dalla "
        "storia della famiglia. Le stesse aziende, dopo qualche settimana di lavoro con noi, hanno chiuso "
        "incontri con distributori e università.»\n\n"
        "Qual è il settore che sorprende di più gli interlocutori californiani?\n"
        "«L'agroalimentare e le macchine che lo servono. Qui c'è una grande attenzione alla sostenibilità degli "
        "imballaggi e allo spreco di cibo, e le nostre imprese hanno soluzioni concrete. Anche il biomedicale "
        "funziona bene, mentre sul software la concorrenza è durissima.»\n\n"
        "Che cosa resta dopo una settimana?\n"
        "«Una rete. Chi torna in Italia con tre o quattro contatti veri e li coltiva nei mesi successivi ottiene "
        "risultati. Chi si aspetta il contratto firmato in aereo rimane deluso. Il nostro lavoro continua anche "
        "dopo, con videochiamate e visite di ritorno.»"
    ),
}

COPIES = {"galdi-release": ORIGINAL, **REPUBLISHED}
ALL = {**COPIES, **SAME_TOPIC}
FPS = {name: fingerprint(text) for name, text in ALL.items()}


def test_every_text_is_long_enough_to_judge() -> None:
    # Otherwise the grouping tests below would pass through the short-text rule.
    assert all(judgeable(text) for text in ALL.values())
    assert all(fp is not None and len(fp) == SLOTS for fp in FPS.values())


def test_distances_separate_copies_from_same_topic_articles() -> None:
    copies = [distance(FPS[a], FPS[b]) for a, b in itertools.combinations(COPIES, 2)]
    others = [distance(FPS[a], FPS[b]) for a in ALL for b in SAME_TOPIC if a != b]
    print(f"\ncopies: distance {min(copies)}-{max(copies)}; different articles: {min(others)}-{max(others)} of {SLOTS}")
    assert max(copies) <= THRESHOLD < min(others)


def test_republications_join_the_release_story_in_one_batch() -> None:
    result = assign_stories(list(FPS.items()), [])
    assert {result[name] for name in COPIES} == {min(COPIES)}
    # Same mission, same programme, same names: still different stories.
    for name in SAME_TOPIC:
        assert result[name] == name


def test_republications_join_the_stored_release_story() -> None:
    stored = [("a-0001", FPS["galdi-release"], "story-galdi"), *((f"x-{n}", FPS[n], f"story-{n}") for n in SAME_TOPIC)]
    result = assign_stories([(n, FPS[n]) for n in REPUBLISHED], stored)
    assert result == {n: "story-galdi" for n in REPUBLISHED}


def test_a_new_article_joins_its_nearest_stored_story() -> None:
    # Two stored stories both within the threshold: the nearer one wins.
    nearer, farther = "pmi-notizie", "agenzia-impresa"
    assert distance(FPS["galdi-release"], FPS[nearer]) < distance(FPS["galdi-release"], FPS[farther]) <= THRESHOLD
    stored = [("z-far", FPS[farther], "story-far"), ("z-near", FPS[nearer], "story-near")]
    assert assign_stories([("new", FPS["galdi-release"])], stored) == {"new": "story-near"}


def test_a_group_reaching_a_stored_story_through_one_member_joins_it() -> None:
    # Only the release is near the stored copy here; its new republications follow it there.
    stored = [("z-stored", FPS["treviso-economia"], "story-old")]
    new = [(n, FPS[n]) for n in ("galdi-release", "nordest-produttivo", "malvestio-release")]
    result = assign_stories(new, stored)
    assert result["galdi-release"] == "story-old"
    assert result["nordest-produttivo"] == "story-old"
    assert result["malvestio-release"] == "malvestio-release"


@pytest.mark.parametrize("seed", range(6))
def test_assignment_does_not_depend_on_input_order(seed: int) -> None:
    rng = random.Random(seed)
    new = [(n, FPS[n]) for n in ("nordest-produttivo", "pmi-notizie", "agenzia-impresa", *SAME_TOPIC)]
    existing = [("s-1", FPS["galdi-release"], "story-1"), ("s-2", FPS["treviso-economia"], "story-2")]
    reference = assign_stories(new, existing)
    rng.shuffle(new)
    rng.shuffle(existing)
    assert assign_stories(new, existing) == reference
    # Without stored stories, the new story's id is the smallest article id, whatever came first.
    ids = {n: f"id-{rng.randrange(10**6):06d}" for n in COPIES}
    batch = [(ids[n], FPS[n]) for n in COPIES]
    rng.shuffle(batch)
    assert set(assign_stories(batch, []).values()) == {min(ids.values())}


def test_short_texts_get_a_story_of_their_own() -> None:
    # The release's own lead paragraph is too short to judge: it is not joined to the release.
    teaser = P["lead"][:280]
    assert not judgeable(teaser)
    assert fingerprint(teaser) is None
    assert candidate_bands(None) == []
    result = assign_stories(
        [("teaser-1", fingerprint(teaser)), ("teaser-2", fingerprint(teaser)), ("release", FPS["galdi-release"])],
        [("stored-teaser", None, "story-teaser")],
    )
    assert result == {"teaser-1": "teaser-1", "teaser-2": "teaser-2", "release": "release"}
    assert judgeable(P["lead"] + " " + P["product"])


def test_values_fit_duckdb_columns_and_the_band_join_finds_the_near_pairs() -> None:
    keys = [k for fp in FPS.values() for k in candidate_bands(fp)]
    assert len(keys) == BANDS * len(FPS)
    assert all(-(2**63) <= k < 2**63 for k in keys)
    assert any(k < 0 for k in keys), "band keys should use the sign bit (signed 64-bit)"
    assert all(0 <= v < 2**32 for fp in FPS.values() for v in fp)
    con = duckdb.connect()
    con.execute("create table signature (article_id varchar, fp uinteger[64])")
    con.execute("create table band (article_id varchar, band_key bigint)")
    con.executemany("insert into signature values (?, ?)", [(n, list(fp)) for n, fp in FPS.items()])
    con.executemany("insert into band values (?, ?)", [(n, k) for n, fp in FPS.items() for k in candidate_bands(fp)])
    stored = dict(con.execute("select article_id, fp from signature").fetchall())
    assert {n: tuple(v) for n, v in stored.items()} == FPS
    pairs = set(
        con.execute(
            "select distinct a.article_id, b.article_id from band a join band b using (band_key)"
            " where a.article_id < b.article_id"
        ).fetchall()
    )
    near = {(a, b) for a, b in itertools.combinations(sorted(FPS), 2) if is_near(FPS[a], FPS[b])}
    assert near == {tuple(sorted(p)) for p in itertools.combinations(COPIES, 2)}
    assert near <= pairs


def test_near_pairs_share_a_band_and_a_banded_prefilter_changes_nothing() -> None:
    for a, b in itertools.combinations(COPIES, 2):
        assert set(candidate_bands(FPS[a])) & set(candidate_bands(FPS[b])), (a, b)
    # Passing only the band candidates (what the warehouse's join returns) gives the same answer.
    rng = random.Random(7)
    noise = [(f"noise-{i:03d}", tuple(rng.randrange(2**32) for _ in range(SLOTS)), f"story-n{i}") for i in range(300)]
    existing = [("s-release", FPS["galdi-release"], "story-release"), *noise]
    new = [(n, FPS[n]) for n in (*REPUBLISHED, *SAME_TOPIC)]
    new_keys = {k for _, fp in new for k in candidate_bands(fp)}
    prefiltered = [e for e in existing if new_keys & set(candidate_bands(e[1]))]
    assert [e[0] for e in prefiltered] == ["s-release"]
    assert assign_stories(new, prefiltered) == assign_stories(new, existing)


def test_banding_recall_matches_its_formula() -> None:
    # Signatures agreeing in a known fraction of slots share a band as often as 1-(1-J^2)^32 says.
    rng = random.Random(11)
    for agree, expected in ((0.25, 1 - (1 - 0.25**2) ** BANDS), (0.5, 1 - (1 - 0.5**2) ** BANDS)):
        shared = 0
        trials = 400
        for _ in range(trials):
            a = [rng.randrange(2**32) for _ in range(SLOTS)]
            b = [v if rng.random() < agree else rng.randrange(2**32) for v in a]
            shared += not set(candidate_bands(a)).isdisjoint(candidate_bands(b))
        assert abs(shared / trials - expected) < 0.06, (agree, shared / trials, expected)


def test_fingerprints_are_stable_across_processes() -> None:
    # Python's hash() is salted per process; a stored fingerprint must not be.
    code = "import sys; from rassegna.stories import fingerprint; print(list(fingerprint(sys.stdin.read())))"
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", code], input=ORIGINAL, capture_output=True, text=True, env=env, cwd=ROOT, check=True
        )
        outputs.add(run.stdout.strip())
    assert outputs == {str(list(FPS["galdi-release"]))}


def test_normalisation_ignores_case_accents_and_punctuation_but_keeps_numbers() -> None:
    assert stories.normalise("L’Università di Davis: 12.000 confezioni, «più» VELOCI!") == [
        "l", "universita", "di", "davis", "12", "000", "confezioni", "piu", "veloci",
    ]
    shouted = ORIGINAL.replace("università", "universita").upper().replace(",", " ;")
    assert fingerprint(shouted) == FPS["galdi-release"]
    changed = ORIGINAL.replace("4,2 milioni", "5,7 milioni").replace("12.000", "15.000")
    assert 0 < distance(fingerprint(changed), FPS["galdi-release"]) <= THRESHOLD  # type: ignore[arg-type]


def test_bad_input_is_named() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        assign_stories([("a", FPS["galdi-release"]), ("a", FPS["pmi-notizie"])], [])
    with pytest.raises(ValueError, match="both new and already"):
        assign_stories([("a", FPS["galdi-release"])], [("a", FPS["pmi-notizie"], "s")])
    with pytest.raises(ValueError, match="existing article 'old'.*64 slots, got 3"):
        assign_stories([("a", FPS["galdi-release"])], [("old", (1, 2, 3), "s")])


# --- in the warehouse: story_id on articles, the stories view --------------------------------


def test_the_warehouse_groups_republications_into_one_story_across_runs(tmp_path) -> None:
    import duckdb

    from conftest import WATCHLIST, store_articles
    from rassegna.config import load_watchlist

    db = tmp_path / "w.duckdb"
    watchlist = load_watchlist(WATCHLIST)
    copies = list(REPUBLISHED.items())
    store_articles(db, watchlist, [("https://galdi.example/release", HEADLINE, ORIGINAL, None)], run_id="r1")
    store_articles(db, watchlist, [(f"https://{name}.example/a", HEADLINE, text, None) for name, text in copies[:2]]
                   + [(f"https://{name}.example/a", name, text, None) for name, text in SAME_TOPIC.items()],
                   run_id="r2")
    store_articles(db, watchlist, [(f"https://{name}.example/a", HEADLINE, text, None) for name, text in copies[2:]],
                   run_id="r3")
    with duckdb.connect(str(db), read_only=True) as con:
        release_story = con.execute("SELECT story_id FROM articles WHERE url = 'https://galdi.example/release'").fetchone()[0]
        in_story = {r[0] for r in con.execute("SELECT url FROM articles WHERE story_id = ?", [release_story]).fetchall()}
        story = con.execute("SELECT articles, first_url, entities FROM stories WHERE story_id = ?", [release_story]).fetchone()
        others = con.execute("SELECT count(*) FROM stories WHERE story_id <> ?", [release_story]).fetchone()[0]
    assert in_story == {"https://galdi.example/release"} | {f"https://{name}.example/a" for name, _ in copies}
    assert story[0] == len(copies) + 1
    assert "Galdi" in story[2]
    assert others == len(SAME_TOPIC), "a same-topic article joined the release's story, or one split"
