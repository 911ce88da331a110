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
