"""Words that mark a surname as a person: first names and titles, Italian and English.

Used only for aliases marked `person_like` in the watchlist (Galdi, Malvestio,
Santini, Martino Rossi): "Francesco Galdi" or "il consigliere Malvestio" is a
person, "l'azienda Galdi" is not. Lower case; compared with the word just
before the name.
"""

FIRST_NAMES = frozenset(
    """
    adriana adriano agnese agostino alba alberto alessandra alessandro alessia alice andrea angela
    angelo anna antonella antonio arianna armando arturo aurora bianca bruna carmela carmen cesare
    cinzia corrado cristian dario debora denis diego dino edoardo elisabetta emilio enzo ernesto
    ettore eva fabio fabrizio fausto ferdinando fiorella flavio franco fulvio gabriella gaetano
    giacomo gianfranco gianluigi gianmarco gianpaolo gilberto gino giordano giuliana graziella
    ivan ivo jacopo lara leo liliana lino loredana lucio luana luigina manuela manuel marcello
    mariella marisa mauro maurizio mirco mirko monia morena nadia nando nino noemi oscar ottavio
    patrizia patrizio pierluigi pierpaolo pietro pino raffaella remo renato renzo rino rita
    rocco romano rosanna rossana ruggero sabrina salvatore samuele sandra sandro sergio silvano
    silvio sonia stella tiziana tiziano tullio ugo umberto vanessa vasco veronica vito vittorio
    alberta
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
    poeta medico notaio parroco vescovo cardinale idraulico maestro maestra mugnaio
    famiglia family coniugi fratelli sorelle vedova vedovo eredi clan
    fornaio panettiere agricoltore contadino infermiere infermiera operaio operaia impiegato impiegata
    commerciante artigiano insegnante docente farmacista muratore elettricista meccanico barista
    cameriere cameriera pensionato pensionata imputato imputata
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
    fioreria fioraio vivaio frantoio caseificio azienda-agricola cascina fattoria maneggio scuderia
    bakery restaurant diner cafe café tavern inn motel gym salon barbershop garage bookshop
    bookstore pharmacy butcher florist grocery deli brewery winery vineyard farm
    polisportiva asd squadra società-sportiva club team crew band orchestra coro
    cooperativa-sociale associazione-culturale associazione-sportiva studio-legale studio-associato
    via viale piazza corso largo vicolo contrada località frazione
    protocollo sigla acronimo norma standard certificazione premio festival mostra rassegna
    conferenza convegno congresso concorso associazione istituto fondazione comitato cooperativa
    onlus consorzio federazione sindacato partito movimento lista compagnia danza musica ballo
    teatro yoga pilates discoteca disco nightclub cinema
    school academy association institute foundation committee award festival conference
    """.split()
)
# Two-word kinds, written with a hyphen above ("azienda-agricola") to keep one token each.
OTHER_BUSINESSES_TWO_WORDS = frozenset(w.replace("-", " ") for w in OTHER_BUSINESSES if "-" in w)

# Nouns that, beside the name, say it is a company ("l'azienda Galdi", "Galdi, società di..."):
# evidence of the entity's kind, which with a word of its sector in the same sentence identifies it.
COMPANY_NOUNS = frozenset(
    """
    azienda aziende società impresa pmi startup marchio brand company firm maker contractor
    manufacturer producer produttore leader specialista fornitore supplier specializzata
    specializzato specialized specialised
    """.split()
)

# The last word of a name that says the name is a company's ("Manta Group", "Podium
# Engineering"): the same weak evidence as "l'azienda" beside it, carried by the name itself.
COMPANY_DESIGNATORS = frozenset(
    """
    group gruppo holding spa s.p.a. srl s.r.l. srls snc sas inc inc. ltd ltd. llc gmbh ag plc
    industries industrie engineering technologies company
    """.split()
)

# Right after a bare surname, words that only a person does or is:
# "Santini ha segnato", "Galdi, assessore al bilancio", "Malvestio è nato".
PERSON_AFTER = (
    r"\s*(?:,\s*)?(?:\(\s*[A-Z][\w .'-]{1,30}\)\s*)?"
    r"(?:è\s+nat[oa]|è\s+mort[oa]|è\s+scompars[oa]|nat[oa]\s+a|morto|deceduto|ha\s+segnato|segna\b|"
    r"ha\s+pedalato|pedala\b|scatta\b|ha\s+vinto\s+la\s+(?:tappa|volata|gara|corsa|medaglia)|"
    r"ha\s+tagliato\s+il\s+traguardo|si\s+è\s+classificat[oa]|si\s+è\s+laureat[oa]|si\s+è\s+spos|"
    r"in\s+volata|in\s+fuga|ha\s+parato|ha\s+dribblato|ha\s+esordito|ha\s+debuttato|è\s+stat[oa]\s+elett[oa]|"
    r"assessore|assessora|sindac[oa]|consigliere|consigliera|candidat[oa]|allenatore|portiere|attaccante|"
    r"difensore|centrocampista|centravanti|capitano|ciclista|corridore|pilota|tennista|nuotatore|nuotatrice|"
    r"atleta|cantante|tenore|pittore|pittrice|scrittore|scrittrice|parroco|studente|studentessa|pensionat[oa]|"
    r"vedov[oa]|figli[oa]\s+di|moglie|marito|family\b|famiglia\b|ha\s+festeggiato|ha\s+compiuto|compie\s|"
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

# Before a programme's name in another case, words that make it a name: "la sesta edizione di
# imprese vincenti", "il programma imprese Vincenti". (farther, nearest) or nearest alone.
PROGRAMME_BEFORE = frozenset(
    """
    programma progetto iniziativa percorso tour roadshow programme initiative edizione:di
    edition:of tappa:di tappe:di candidature:a
    """.split()
)
# Before a surname, the Italian article of a firm ("la Malvestio", "della Galdi": la ditta);
# it is also how papers name a woman, so it weighs little.
COMPANY_ARTICLES = frozenset("la della alla dalla nella sulla colla".split())

# Before "'s", places that say where a firm is, not who owns it: "Italy's Las Mobili".
ITALIAN_PLACES = frozenset(
    """
    italy italia italian europe europe's veneto lombardy lombardia friuli puglia apulia abruzzo tuscany
    toscana piedmont piemonte aosta treviso padua padova bergamo udine bari foggia lucca cremona
    teramo milan milano rome roma
    """.split()
)
