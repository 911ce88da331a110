"""Words that mark a surname as a person: first names and titles, Italian and English.

Used only for aliases marked `person_like` in the watchlist (Galdi, Malvestio,
Santini, Martino Rossi): "Francesco Galdi" or "il consigliere Malvestio" is a
person, "l'azienda Galdi" is not. Lower case; compared with the word just
before the name.
"""

FIRST_NAMES = frozenset(
    """
    alberto alessandra alessandro alessia alice andrea angela anna antonella antonio arianna
    barbara beatrice bruno carla carlo caterina chiara claudia claudio cristina daniela daniele
    davide domenico elena elisa emanuele enrico federica federico filippo francesca francesco
    franca franco gabriele giacomo gianluca gianni giorgia giorgio giovanna giovanni giulia giulio
    giuseppe giuseppina grazia guido ilaria irene laura leonardo lina lorenzo luca lucia luciano
    luigi luisa marco margherita maria mariarita marina mario marta martina massimo matteo
    michela michele monica nicola nicoletta paola paolo pietro piero raffaele riccardo roberta
    roberto rosa sara serena silvia simona simone sofia stefania stefano teresa tommaso valentina
    valeria vincenzo vittoria walter
    adam alex alice amy andrew ben charles chris daniel david emily emma george grace harry helen
    jack james jane jennifer john joseph julia kate laura linda mark mary matthew michael nick
    paul peter rachel richard robert sam sarah steve susan thomas tom william
    """.split()
)

TITLES = frozenset(
    """
    don padre suor frate monsignor sindaco sindaca assessore assessora consigliere consigliera
    presidente onorevole deputato deputata senatore senatrice dottor dottore dottoressa dott dr
    ing avv prof professor professoressa signor signora sig mister mr mrs ms miss father sister
    councillor councilor mayor senator tenor soprano baritono tenore pittore pittrice scrittore
    scrittrice attore attrice cantante calciatore calciatrice ciclista atleta allenatore mister
    chef cuoco cuoca architetto architetta avvocato avvocata giornalista regista fotografo fotografa
    poeta medico notaio parroco vescovo cardinale idraulico maestro maestra
    """.split()
)

# Kinds of business that, right before a name, make it another firm: "pasticceria Santini",
# "albergo Galdi", "bar Podium". Lower case, compared with the one or two words before the name.
OTHER_BUSINESSES = frozenset(
    """
    albergo hotel ristorante trattoria osteria locanda pizzeria pasticceria gelateria panificio
    forno bar caffè caffe pub birreria enoteca cantina macelleria salumeria alimentari drogheria
    farmacia ferramenta tabaccheria edicola libreria cartoleria merceria boutique negozio bottega
    emporio market supermercato minimarket palestra piscina agriturismo camping campeggio
    residence lido parrucchiere parrucchieria barbiere estetista officina autofficina
    carrozzeria gommista concessionaria autoscuola scuola asilo studio ambulatorio clinica
    poliambulatorio onoranze impresa ditta falegnameria vetreria tipografia lavanderia sartoria
    fioreria fioraio vivaio frantoio caseificio azienda-agricola cascina fattoria maneggio
    bakery restaurant diner cafe café tavern inn motel gym salon barbershop garage bookshop
    bookstore pharmacy butcher florist grocery deli brewery winery vineyard farm
    polisportiva asd squadra società-sportiva club team crew band orchestra coro
    via viale piazza corso largo vicolo contrada località frazione
    """.split()
)
# Two-word kinds, written with a hyphen above ("azienda-agricola") to keep one token each.
OTHER_BUSINESSES_TWO_WORDS = frozenset(w.replace("-", " ") for w in OTHER_BUSINESSES if "-" in w)

# Nouns that, beside the name, say it is a company ("l'azienda Galdi", "Galdi, società di..."):
# evidence of the entity's kind, which with a word of its sector in the same sentence identifies it.
COMPANY_NOUNS = frozenset(
    """
    azienda aziende società impresa pmi startup marchio brand company firm maker contractor
    manufacturer producer produttore leader specialista fornitore supplier
    """.split()
)

# Right after a bare surname, words that only a person does or is:
# "Santini ha segnato", "Galdi, assessore al bilancio", "Malvestio è nato".
PERSON_AFTER = (
    r"(?:,\s*)?(?:\(\s*[A-Z][\w .'-]{1,30}\)\s*)?"
    r"(?:è\s+nat[oa]|è\s+mort[oa]|è\s+scompars[oa]|nat[oa]\s+a|morto|deceduto|ha\s+segnato|segna\b|"
    r"ha\s+pedalato|pedala\b|scatta\b|ha\s+vinto\s+la\s+(?:tappa|volata|gara|corsa|medaglia)|"
    r"ha\s+tagliato\s+il\s+traguardo|si\s+è\s+classificat[oa]|si\s+è\s+laureat[oa]|si\s+è\s+spos|"
    r"in\s+volata|in\s+fuga|ha\s+parato|ha\s+dribblato|ha\s+esordito|ha\s+debuttato|è\s+stat[oa]\s+elett[oa]|"
    r"assessore|assessora|sindac[oa]|consigliere|consigliera|candidat[oa]|allenatore|portiere|attaccante|"
    r"difensore|centrocampista|centravanti|capitano|ciclista|corridore|pilota|tennista|nuotatore|nuotatrice|"
    r"atleta|cantante|tenore|pittore|pittrice|scrittore|scrittrice|parroco|studente|studentessa|pensionat[oa]|"
    r"vedov[oa]|figli[oa]\s+di|moglie|marito|"
    r"was\s+born|died|scored|finished\s+(?:first|second|third|\d)|won\s+the\s+(?:stage|race|sprint|medal|match)|"
    r"crossed\s+the\s+line|the\s+(?:rider|striker|goalkeeper|defender|midfielder|driver|singer|painter|mayor|councillor)|"
    r"who\s+(?:scored|won|rode|played|sang|died|was\s+born))"
)

# Before a programme's name written in the wrong case, an article or articulated preposition
# marks the everyday phrase: "le imprese vincenti del bando", "alle imprese vincenti".
EVERYDAY_BEFORE = frozenset(
    """
    le delle alle dalle sulle nelle the our their these those quelle queste tante molte poche alcune
    nuove vere
    """.split()
)
