"""``manage.py generate_practices N``: synthetic practices for development and benchmarks.

The text is composed from banks of Finnish wellbeing vocabulary, with words in the cases the
sentence needs, so that full-text search meets varied words and inflections. Places,
organisations and lookups come from the reference data. Rows are written in batches (COPY on
PostgreSQL, bulk inserts on SQLite) and indexed for search afterwards, so tens of thousands of
practices take a minute or two rather than many. The same --seed on the same database state
gives the same practices.
"""

import datetime
import math
import random
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from modeltranslation.translator import translator

from organisations.models import Municipality, Organisation, WellbeingServicesCounty
from practices.models import (
    DevelopmentStage,
    Funder,
    Practice,
    PracticeOrganisation,
    TargetGroup,
    Theme,
)
from practices.search import index_practices
from practices.spreadsheets.importing import _create_practices as create_practices
from practices.spreadsheets.importing import _insert as insert_rows

BATCH_SIZE = 1000
# Threads that index the new practices on PostgreSQL (index_new_practices).
INDEX_JOBS = 2


def _bank(text):
    """Items of a phrase bank written one or more a line, separated by "|"."""
    return tuple(
        item.strip() for line in text.splitlines() for item in line.split("|") if item.strip()
    )


# Target groups by slug: (genitive plural, allative plural, nominative plural, partitive
# singular after a number). Groups editors add later fall back to GENERIC_GROUP.
GROUP_FORMS = {
    "lapset": _bank("lasten | lapsille | lapset | lasta"),
    "nuoret": _bank("nuorten | nuorille | nuoret | nuorta"),
    "lapsiperheet": _bank("lapsiperheiden | lapsiperheille | lapsiperheet | perhettä"),
    "vanhemmat": _bank("vanhempien | vanhemmille | vanhemmat | vanhempaa"),
    "ikaantyneet": _bank("ikääntyneiden | ikääntyneille | ikääntyneet | ikääntynyttä"),
    "tyoikaiset": _bank("työikäisten | työikäisille | työikäiset | työikäistä"),
    "ammattilaiset": _bank("ammattilaisten | ammattilaisille | ammattilaiset | ammattilaista"),
    "johto-ja-esihenkilot": _bank("esihenkilöiden | esihenkilöille | esihenkilöt | esihenkilöä"),
    "jarjestot": _bank("järjestöjen | järjestöille | järjestöt | järjestöä"),
    "kuntalaiset": _bank("kuntalaisten | kuntalaisille | kuntalaiset | kuntalaista"),
    "maahan-muuttaneet": _bank("""
        maahan muuttaneiden | maahan muuttaneille | maahan muuttaneet | maahan muuttanutta
    """),
    "vammaiset-henkilot": _bank("""
        vammaisten henkilöiden | vammaisille henkilöille | vammaiset henkilöt | vammaista henkilöä
    """),
}

GENERIC_GROUP = _bank("asukkaiden | asukkaille | asukkaat | asukasta")

# What a practice of a theme works on, in the partitive ("vahvistetaan ...").
THEME_OBJECTS = {
    "hyvinvoinnin-edistaminen": _bank("""
        hyvinvointia ja terveyttä | terveellisiä elintapoja | hyvinvoinnin tasa-arvoa
    """),
    "lapsiperheet": _bank("perheiden arjen sujumista | vanhemmuutta | koko perheen jaksamista"),
    "lasten-ja-nuorten-hyvinvointi": _bank("""
        lasten ja nuorten hyvinvointia | koulunkäynnin sujumista | nuorten itsetuntoa
    """),
    "mielenterveys": _bank("""
        mielenterveyttä | psyykkistä hyvinvointia | mielenterveystaitoja
        tunne- ja vuorovaikutustaitoja
    """),
    "paihteet-ja-riippuvuudet": _bank("""
        päihteettömyyttä | päihdehaittojen ehkäisyä | pelihaittojen tunnistamista
    """),
    "ikaantyneet": _bank("""
        ikääntyneiden toimintakykyä | kotona asumisen edellytyksiä | ikäihmisten osallisuutta
    """),
    "osallisuus": _bank("osallisuutta | asukkaiden vaikutusmahdollisuuksia | yhteisöllisyyttä"),
    "jarjestoyhteistyo": _bank("""
        järjestöjen ja kunnan yhteistyötä | vapaaehtoistoimintaa | kumppanuutta järjestöjen kanssa
    """),
    "tyohyvinvointi": _bank("työhyvinvointia | työssä jaksamista | työyhteisön vuorovaikutusta"),
    "viestinta": _bank("hyvinvointiviestintää | palveluista tiedottamista | selkeää viestintää"),
    "johtaminen": _bank("hyvinvointijohtamista | tiedolla johtamista | yhteistä johtamista"),
    "palveluohjaus": _bank("palveluohjausta | sujuvia palvelupolkuja | oikea-aikaista ohjausta"),
    "ehkaiseva-tyo": _bank("varhaista tukea | ehkäisevää työtä | ongelmien ennaltaehkäisyä"),
    "liikunta-ja-terveys": _bank("""
        arkiliikuntaa | liikunnallista elämäntapaa | fyysistä aktiivisuutta
    """),
    "opetus-ja-kasvatus": _bank("""
        oppimisen tukea | kouluyhteisön hyvinvointia | varhaiskasvatuksen laatua
    """),
    "yhdenvertaisuus": _bank("yhdenvertaisuutta | saavutettavuutta | syrjinnän ehkäisyä"),
    "digitaaliset-palvelut": _bank("""
        digitaalisia palveluja | sähköistä asiointia | digitaitoja | etäpalvelujen käyttöä
    """),
}

GENERAL_OBJECTS = _bank("""
    matalan kynnyksen palveluja | moniammatillista yhteistyötä | ammattilaisten osaamista
    asiakaslähtöisyyttä | yhteistä työotetta | kohtaamista
""")

# "Tavoitteena on ..." — first-infinitive phrases; {g} is a target group in the genitive.
GOALS = _bank("""
    vahvistaa {g} osallisuutta | madaltaa avun hakemisen kynnystä
    tunnistaa tuen tarve nykyistä varhemmin | lisätä {g} arkiliikuntaa
    ehkäistä yksinäisyyttä ja syrjäytymistä | sujuvoittaa siirtymiä palvelusta toiseen
    tuoda palvelut lähemmäs asukkaita | vähentää raskaampien palvelujen tarvetta
    tukea vanhemmuutta arjessa | parantaa palvelujen saavutettavuutta
    vahvistaa {g} mielenterveyttä | lisätä kunnan, hyvinvointialueen ja järjestöjen yhteistyötä
    tehdä {g} äänestä kuuluva päätöksenteossa | tukea {g} arjen hallintaa
    edistää {g} terveitä elintapoja | vähentää {g} kokemaa yksinäisyyttä
    selkeyttää työnjakoa eri toimijoiden välillä | lisätä tietoa alueen palveluista
""")

EVIDENCE = _bank("""
    Kouluterveyskyselyn tulosten mukaan | Hyvinvointikertomuksen perusteella
    Ammattilaisten havaintojen mukaan | Asukaskyselyn mukaan | Alueellisten tilastojen mukaan
    Järjestöjen kokemusten mukaan
""")

CONCERNS = _bank("""
    hyvinvointi | jaksaminen | mielenterveys | osallisuus | toimintakyky | liikkuminen
    arjen hallinta | luottamus palveluihin | sosiaalinen tuki
""")

CONCERN_PREDICATES = _bank("""
    on heikentynyt | vaihtelee suuresti alueittain | on noussut huolenaiheeksi
    ei ole parantunut toivotulla tavalla | on eriytynyt
""")

NEED_ORIGINS = _bank("""
    asukkaiden palautteesta | ammattilaisten arjesta | hyvinvointikertomuksen tiedoista
    kouluterveyskyselyn tuloksista | järjestöjen havainnoista | nuorisovaltuuston aloitteesta
    vanhusneuvoston aloitteesta | vammaisneuvoston aloitteesta | asiakasraadin ehdotuksesta
""")

# "Muutoksen jälkeen nuoret ..." — verb phrases in the third person plural.
CHANGES = _bank("""
    saavat tukea oikea-aikaisesti | löytävät sopivan harrastuksen tai ryhmän helpommin
    kokevat tulevansa kuulluiksi | osallistuvat palvelujen kehittämiseen
    tuntevat alueensa palvelut paremmin | liikkuvat enemmän arjessaan | hakevat apua aiemmin
    jaksavat paremmin arjessa | pystyvät asumaan kotona pidempään
    saavat vertaistukea toisiltaan
""")

SYSTEM_CHANGES = _bank("""
    Ammattilaisten yhteinen työote vahvistuu. | Tieto kulkee sujuvammin toimijoiden välillä.
    Palvelut muodostavat asiakkaan näkökulmasta yhtenäisen kokonaisuuden.
    Työnjako kunnan ja hyvinvointialueen välillä selkeytyy.
    Järjestöjen toiminta tulee osaksi palveluohjausta.
""")

AUDIENCE_CLAUSES = _bank("""
    erityisesti niille, joita palvelut eivät ole aiemmin tavoittaneet
    jotka asuvat kaukana palveluista | joilla on riski jäädä tuen ulkopuolelle
    jotka tarvitsevat tukea elämän muutosvaiheissa | joiden arjessa on kuormittavia tekijöitä
""")

INSIGHT_METHODS = _bank("""
    haastatteluilla | asukaskyselyllä | asiakasraadeissa | kehittäjäasiakkaiden kanssa
    palautelomakkeilla | yhteiskehittämisen työpajoissa | jalkautumalla asukkaiden arkeen
    kokemusasiantuntijoiden avulla
""")

CORES = _bank("""
    matalan kynnyksen kohtaamispaikka | moniammatillinen tiimi | säännöllinen ryhmätoiminta
    digitaalinen palvelualusta | jalkautuva työote | yhteinen palveluohjausmalli
    vertaistukeen perustuva ryhmä | koulutettujen vapaaehtoisten verkosto
    yhteinen puheeksioton käytäntö | perhekeskuksen ja koulun yhteistyö
    kiertävä hyvinvointiauto | kokemusasiantuntijoiden ja ammattilaisten työpari
    koulun hyvinvointitiimi | avoin olohuone | sähköinen hyvinvointikysely
    alueellinen hyvinvointiryhmä | yhteinen vuosikello | ohjaamon monialainen palvelu
""")

PASSIVES = _bank("""
    vahvistetaan | tuetaan | edistetään | kehitetään
""")

PLACES = _bank("""
    lähikouluissa | perhekeskuksessa | kirjastoissa | nuorisotiloilla | neuvolassa
    asukastaloilla | palvelukeskuksissa | kunnan liikuntapaikoilla | verkossa
    kauppakeskuksissa | järjestöjen kohtaamispaikoissa | päiväkodeissa | oppilaitoksissa
    seurakuntatalolla | liikuntahalleissa | uimahallissa | kylätaloilla | terveysasemilla
    työpaikoilla | ammattiopistossa | lukiossa | kaupungintalolla | palvelutaloissa
    lähiöiden kerhotiloissa | puistoissa ja lähiluonnossa
""")

ACTORS = _bank("""
    Perhekeskuksen työntekijät | Koulukuraattorit ja -psykologit | Nuorisotyöntekijät
    Liikuntaneuvojat | Kotihoidon ohjaajat | Sosiaaliohjaajat | Terveydenhoitajat
    Järjestöjen vapaaehtoiset | Kokemusasiantuntijat | Varhaiskasvatuksen opettajat
    Palveluohjaajat | Hyvinvointikoordinaattorit | Seurakunnan diakoniatyöntekijät
    Kirjaston työntekijät | Opiskeluhuollon ammattilaiset | Etsivät nuorisotyöntekijät
    Fysioterapeutit | Toimintaterapeutit | Perhetyöntekijät | Psykiatriset sairaanhoitajat
    Kulttuuriohjaajat | Kotoutumisen ohjaajat | Työllisyyspalvelujen valmentajat
    Muistikoordinaattorit | Omaishoidon ohjaajat | Erityisopettajat | Koulunuorisotyöntekijät
""")

# Nominative | genitive | partitive of things a practice tries to lessen and to strengthen.
PROBLEMS = tuple(
    tuple(item.split(":"))
    for item in _bank("""
    yksinäisyys:yksinäisyyden:yksinäisyyttä | syrjäytyminen:syrjäytymisen:syrjäytymistä
    kiusaaminen:kiusaamisen:kiusaamista | uupumus:uupumuksen:uupumusta
    velkaantuminen:velkaantumisen:velkaantumista
    lähisuhdeväkivalta:lähisuhdeväkivallan:lähisuhdeväkivaltaa
    koulupudokkuus:koulupudokkuuden:koulupudokkuutta
    päihteiden käyttö:päihteiden käytön:päihteiden käyttöä
    rahapelaaminen:rahapelaamisen:rahapelaamista
    liikkumattomuus:liikkumattomuuden:liikkumattomuutta | ylipaino:ylipainon:ylipainoa
    unettomuus:unettomuuden:unettomuutta | ahdistuneisuus:ahdistuneisuuden:ahdistuneisuutta
    kaatumisriski:kaatumisriskin:kaatumisriskiä | eriarvoisuus:eriarvoisuuden:eriarvoisuutta
    työttömyys:työttömyyden:työttömyyttä | asunnottomuus:asunnottomuuden:asunnottomuutta
    kouluväsymys:kouluväsymyksen:kouluväsymystä | syrjintä:syrjinnän:syrjintää
    häirintä:häirinnän:häirintää | köyhyys:köyhyyden:köyhyyttä
    nikotiinituotteiden käyttö:nikotiinituotteiden käytön:nikotiinituotteiden käyttöä
    ulkopuolisuuden kokemus:ulkopuolisuuden kokemuksen:ulkopuolisuuden kokemusta
    """)
)
RESOURCES = tuple(
    tuple(item.split(":"))
    for item in _bank("""
    vertaistuki:vertaistuen:vertaistukea | liikunta:liikunnan:liikuntaa
    harrastaminen:harrastamisen:harrastamista | lukutaito:lukutaidon:lukutaitoa
    kielitaito:kielitaidon:kielitaitoa | työllisyys:työllisyyden:työllisyyttä
    omaishoito:omaishoidon:omaishoitoa | ravitsemus:ravitsemuksen:ravitsemusta
    suun terveys:suun terveyden:suun terveyttä | kotoutuminen:kotoutumisen:kotoutumista
    turvallisuuden tunne:turvallisuuden tunteen:turvallisuuden tunnetta
    yhteisöllisyys:yhteisöllisyyden:yhteisöllisyyttä
    vapaaehtoistyö:vapaaehtoistyön:vapaaehtoistyötä
    kokemusasiantuntijuus:kokemusasiantuntijuuden:kokemusasiantuntijuutta
    työkyky:työkyvyn:työkykyä | toimintakyky:toimintakyvyn:toimintakykyä
    arjen hallinta:arjen hallinnan:arjen hallintaa | vanhemmuus:vanhemmuuden:vanhemmuutta
    parisuhde:parisuhteen:parisuhdetta | itsetunto:itsetunnon:itsetuntoa
    luottamus:luottamuksen:luottamusta | osallisuus:osallisuuden:osallisuutta
    tunneosaaminen:tunneosaamisen:tunneosaamista
    etsivä nuorisotyö:etsivän nuorisotyön:etsivää nuorisotyötä
    kuntoutus:kuntoutuksen:kuntoutusta | terveysneuvonta:terveysneuvonnan:terveysneuvontaa
    ikäteknologia:ikäteknologian:ikäteknologiaa | digituki:digituen:digitukea
    kulttuurihyvinvointi:kulttuurihyvinvoinnin:kulttuurihyvinvointia
    lähiliikunta:lähiliikunnan:lähiliikuntaa
    mielen hyvinvointi:mielen hyvinvoinnin:mielen hyvinvointia
    sosiaalinen vahvistaminen:sosiaalisen vahvistamisen:sosiaalista vahvistamista
    moniammatillisuus:moniammatillisuuden:moniammatillisuutta
    perhekeskustoiminta:perhekeskustoiminnan:perhekeskustoimintaa
    luontoliikunta:luontoliikunnan:luontoliikuntaa
    seksuaaliterveys:seksuaaliterveyden:seksuaaliterveyttä
    """)
)
PROBLEM_ASPECTS = _bank("ehkäisyyn | tunnistamiseen | vähentämiseen | puheeksiottoon")

ACTIVITIES = _bank("""
    järjestävät ryhmätapaamisia | järjestävät teemailtoja | järjestävät vanhempainiltoja
    tekevät kotikäyntejä | tekevät hyvinvointitarkastuksia | pitävät avoimia vastaanottoja
    ohjaavat liikuntaryhmiä | vetävät vertaisryhmiä | ylläpitävät chat-palvelua
    koordinoivat vapaaehtoistoimintaa | kouluttavat vapaaehtoisia
    järjestävät tutustumiskäyntejä | pitävät infotilaisuuksia | vetävät keskusteluryhmiä
""")

FREQUENCIES = _bank("""
    viikoittain | kerran kuukaudessa | kahdesti viikossa | lukukausittain
    iltaisin ja viikonloppuisin | koulupäivien aikana | kesäisin | tarpeen mukaan
""")

STEPS = _bank("""
    alkukartoitus ja tavoitteiden asettaminen | tuen tarpeen tunnistaminen ja puheeksiotto
    yhteinen suunnitelma asiakkaan kanssa | ohjaus sopivaan ryhmään tai palveluun
    ryhmäjaksot ja yksilötapaamiset | verkostotapaaminen perheen kanssa
    säännölliset seurantatapaamiset | loppuarviointi ja jatko-ohjaus
    palautteen kerääminen ja toiminnan kehittäminen
""")

TOOLS = _bank("""
    strukturoitua haastattelulomaketta | sähköistä ajanvarausta | yhteistä palvelukarttaa
    voimavarakeskeistä keskustelua | palveluohjauksen tarkistuslistaa
    ryhmänohjaajan käsikirjaa | digitaalista palautekyselyä | hyvinvointimittaria
""")

BENEFITS = _bank("""
    saaneensa tukea arkeensa | saaneensa uutta tietoa palveluista | tulleensa kuulluksi
    löytäneensä uusia ystäviä | jaksavansa paremmin | liikkuvansa aiempaa enemmän
    hyötyneensä vertaistuesta
""")

PROFESSIONAL_VIEWS = _bank("""
    yhteistyö eri toimijoiden välillä on tiivistynyt
    asiakkaat ohjautuvat oikeaan palveluun aiempaa nopeammin | tuen tarve tunnistetaan varhemmin
    jonot ovat lyhentyneet | raskaampien palvelujen tarve on vähentynyt
    oma osaaminen on vahvistunut
""")

FEEDBACK = _bank("""
    erittäin myönteistä | pääosin myönteistä | kannustavaa | rakentavaa
""")

INDICATORS = _bank("""
    asiakaspalautteen | käyntimäärien | kouluterveyskyselyn tulosten
    hyvinvointikertomuksen indikaattoreiden | osallistujamäärien | alku- ja loppukartoitusten
    henkilöstökyselyn | toimintakykymittausten | palveluihin ohjautumisen seurannan
""")

MEASURES = _bank("""
    osallistujamääriä | asiakastyytyväisyyttä | palveluun pääsyn odotusaikaa
    ryhmään sitoutumista | koettua hyvinvointia | yhteistyökumppaneiden määrää
""")

EVALUATION_TIMES = _bank("""
    puolen vuoden välein | jokaisen ryhmäjakson päätteeksi
    vuosittain hyvinvointikertomuksen yhteydessä | kokeilun alussa ja lopussa
""")

REQUIREMENTS = _bank("""
    johdon sitoutumista | nimettyä koordinaattoria | yhteistä sopimusta työnjaosta
    henkilöstön koulutusta | toimivia tiloja | järjestöyhteistyön rakenteita
    riittävää viestintää | yhteistä tietopohjaa
""")

ROOTING_CONDITIONS = _bank("""
    se kirjataan osaksi hyvinvointisuunnitelmaa | vastuuhenkilöt on nimetty
    toiminnalle varataan pysyvä aika ja paikka | palautetta kerätään säännöllisesti
    yhteistyöstä hyvinvointialueen kanssa on sovittu
""")

TIPS = _bank("""
    aloittaa pienestä kokeilusta yhdellä alueella
    ottaa kohderyhmä mukaan suunnitteluun alusta asti | sopia vastuista kirjallisesti
    varata aikaa verkostojen rakentamiseen | hyödyntää olemassa olevia tiloja ja rakenteita
    viestiä toiminnasta monikanavaisesti | kerätä palautetta jo kokeiluvaiheessa
    hyödyntää järjestöjen osaamista
""")

COST_SOURCES = _bank("""
    henkilöstökuluista | tilavuokrista | materiaaleista ja tarjoiluista | koulutuksista
    ohjelmistolisensseistä | matkakuluista
""")

WORK_YEARS = _bank("""
    0,5 | 1 | 1,5 | 2 | 3
""")

# Names: adjective (or genitive attribute) + noun, sometimes + whom and what for.
NAME_ADJECTIVES = _bank("""
    Matalan kynnyksen | Jalkautuva | Moniammatillinen | Digitaalinen | Yhteisöllinen
    Ennaltaehkäisevä | Perhelähtöinen | Alueellinen | Seudullinen | Osallistava | Kiertävä
    Avoin | Liikkuva | Kohtaava | Ratkaisukeskeinen | Vertaisohjattu | Ikäystävällinen
    Kulttuurisensitiivinen | Koko perheen | Arjen | Yhteinen | Varhaisen tuen | Kouluperustainen
    Verkostomainen | Kestävä
""")

NAME_NOUNS = _bank("""
    perhevalmennus | hyvinvointikahvila | palveluohjausmalli | liikuntaneuvonta
    vertaisryhmätoiminta | nuorisotyö | kotikäyntimalli | yhteistyömalli | kohtaamispaikka
    mentorointi | harrastustoiminta | ryhmätoiminta | hyvinvointikoulutus | palvelupolku
    chat-palvelu | kouluvalmennus | vanhempainryhmä | ikäneuvola | asukasraati
    olohuonetoiminta | perhetyö | puheeksiotto | hyvinvointitarkastus | kotoutumispolku
    vapaaehtoistoiminta | työhyvinvointimalli | ohjausmalli | tukihenkilötoiminta | kesätoiminta
    liikuntaryhmä | päihdetyö | mielenterveysneuvonta | tiedotuskampanja | hyvinvointiviikko
    lähiötyö | kulttuurihyvinvointimalli | digituki
""")

NAME_PURPOSES = _bank("""
    tueksi | arkeen | hyväksi | osallisuuden vahvistamiseksi | yksinäisyyden ehkäisemiseksi
    hyvinvoinnin edistämiseksi | jaksamisen tueksi
""")

MUNICIPAL_UNITS = _bank("""
    Sivistyspalvelut | Hyvinvoinnin edistämisen yksikkö | Liikuntapalvelut | Nuorisopalvelut
    Kulttuuripalvelut | Varhaiskasvatus | Perusopetus | Kaupunkistrategia ja hyvinvointi
""")

COUNTY_UNITS = _bank("""
    Lasten, nuorten ja perheiden palvelut | Ikääntyneiden palvelut
    Mielenterveys- ja päihdepalvelut | Sosiaalipalvelut | Perhekeskus | Järjestöyhteistyö
    Hyvinvoinnin ja terveyden edistäminen
""")

STAGE_WEIGHTS = {
    "idea": 5,
    "kehitteilla": 20,
    "kokeilussa": 20,
    "valmis": 25,
    "vakiintunut": 20,
    "paattynyt": 10,
}

RRP_PROGRAMMES = _bank("""
    RRP, P4, I1 | RRP, P4, I2 | RRP, P4, I3 | RRP, P4, I4
""")

# Finnish municipalities that are towns (kaupunki); the others are kunta.
TOWNS = frozenset(
    _bank("""
    Akaa | Alajärvi | Alavus | Espoo | Forssa | Haapajärvi | Haapavesi | Hamina | Hanko
    Harjavalta | Heinola | Helsinki | Huittinen | Hyvinkää | Hämeenlinna | Iisalmi | Ikaalinen
    Imatra | Joensuu | Jyväskylä | Jämsä | Järvenpää | Kaarina | Kajaani | Kalajoki | Kangasala
    Kankaanpää | Kannus | Karkkila | Kaskinen | Kauhajoki | Kauhava | Kauniainen | Kemi
    Kemijärvi | Kerava | Keuruu | Kitee | Kiuruvesi | Kokkola | Kotka | Kouvola
    Kristiinankaupunki | Kuhmo | Kuopio | Kurikka | Kuusamo | Lahti | Laitila | Lappeenranta
    Lapua | Lieksa | Lohja | Loimaa | Loviisa | Maarianhamina | Mikkeli | Mänttä-Vilppula
    Naantali | Nivala | Nokia | Nurmes | Närpiö | Orimattila | Orivesi | Oulainen | Oulu
    Outokumpu | Paimio
    Parainen | Parkano | Pieksämäki | Pietarsaari | Pori | Porvoo | Pudasjärvi | Pyhäjärvi
    Raahe | Raasepori | Raisio | Rauma | Riihimäki | Rovaniemi | Saarijärvi | Salo | Sastamala
    Savonlinna | Seinäjoki | Somero | Suonenjoki | Tampere | Tornio | Turku | Ulvila
    Uusikaarlepyy | Uusikaupunki | Vaasa | Valkeakoski | Vantaa | Varkaus | Viitasaari | Virrat
    Ylivieska | Ylöjärvi | Ähtäri | Äänekoski
""")
)

# Genitives that the suffix rules below get wrong.
GENITIVES = dict(
    pair.split(":")
    for pair in _bank("""
    Helsinki:Helsingin | Vihti:Vihdin | Raahe:Raahen | Muurame:Muuramen | Kaustinen:Kaustisen
    Virrat:Virtain | Punkalaidun:Punkalaitumen | Pihtipudas:Pihtiputaan | Alavus:Alavuden
    Varkaus:Varkauden | Hanko:Hangon | Turku:Turun | Lieto:Liedon | Luoto:Luodon
    Hailuoto:Hailuodon | Outokumpu:Outokummun | Loppi:Lopen | Iitti:Iitin | Pomarkku:Pomarkun
    Nurmes:Nurmeksen | Kannus:Kannuksen | Muhos:Muhoksen | Uusikaupunki:Uudenkaupungin
    Kristiinankaupunki:Kristiinankaupungin | Vesanto:Vesannon | Enontekiö:Enontekiön
    Kumlinge:Kumlingen | Juuka:Juuan
""")
)

GENITIVE_SUFFIXES = tuple(
    tuple(pair.split(":"))
    for pair in _bank("""
    inen:isten | joki:joen | mäki:mäen | niemi:niemen | järvi:järven | saari:saaren
    nummi:nummen | vesi:veden | koski:kosken | salmi:salmen | lampi:lammen | lahti:lahden
    nki:ngin | nka:ngan | nta:nnan | ntä:nnän | kka:kan | kkä:kän | lta:llan | rta:rran | ee:een
""")
)


def finnish_genitive(name):
    """Genitive of a Finnish place name, e.g. Lahti → Lahden, Järvenpää → Järvenpään."""
    if " " in name:
        first, rest = name.split(" ", 1)
        return f"{finnish_genitive(first)} {rest}"
    if "-" in name:
        head, last = name.rsplit("-", 1)
        return f"{head}-{finnish_genitive(last)}"
    if name in GENITIVES:
        return GENITIVES[name]
    for suffix, replacement in GENITIVE_SUFFIXES:
        if name.lower().endswith(suffix):
            stem = name[: -len(suffix)]
            return stem + replacement if stem else replacement.capitalize()
    if name.endswith("e"):
        return name + "en"
    if name[-1] in "aäeiouyö":
        return name + "n"
    return name + "in"


def municipal_organisation_name(name):
    """Lahti → Lahden kaupunki, Hollola → Hollolan kunta; 'Pedersören kunta' stays as it is."""
    if name.endswith(" kunta") or name.endswith(" kaupunki"):
        return name
    kind = "kaupunki" if name in TOWNS else "kunta"
    return f"{finnish_genitive(name)} {kind}"


class TextComposer:
    """Composes the Finnish text of one practice from the banks above."""

    def __init__(self, rng):
        self.rng = rng

    def pick(self, bank, k=1):
        return self.rng.sample(bank, k) if k > 1 else self.rng.choice(bank)

    def objects_for(self, theme_slugs):
        bank = [obj for slug in theme_slugs for obj in THEME_OBJECTS.get(slug, ())]
        return bank or list(GENERAL_OBJECTS)

    def name(self, group):
        name = f"{self.pick(NAME_ADJECTIVES)} {self.pick(NAME_NOUNS)}"
        if self.rng.random() < 0.55:
            name += f" {group[0]} {self.pick(NAME_PURPOSES)}"
        return name

    def goal(self, group):
        return self.pick(GOALS).format(g=group[0])

    def practice_texts(self, theme_slugs, groups, organisations, start_year):
        """The card's Finnish text fields. ``groups`` are target group forms (GROUP_FORMS),
        ``organisations`` the names of the owner and then the other organisations."""
        rng, pick = self.rng, self.pick
        main = groups[0]
        objects = self.objects_for(theme_slugs)
        goal = self.goal(main)
        place = pick(PLACES)

        summary = (
            f"Toimintamallissa {pick(PASSIVES)} {pick(objects)} {place}. Tavoitteena on {goal}."
        )
        need = [
            f"{pick(EVIDENCE)} {main[0]} {pick(CONCERNS)} {pick(CONCERN_PREDICATES)}.",
            f"Palvelut ovat olleet hajallaan, eivätkä {main[2]} ole aina löytäneet "
            f"tarvitsemaansa tukea ajoissa.",
            f"Tarve toimintamallille nousi {pick(NEED_ORIGINS)}.",
        ]
        rng.shuffle(need)
        problem, resource = pick(PROBLEMS), pick(RESOURCES)
        need = (
            " ".join(need[: rng.randint(2, 3)])
            + f" Erityistä huomiota kiinnitetään {problem[1]} {pick(PROBLEM_ASPECTS)}."
            + f" Tavoitteena on {self.goal(main)}. Kehittäminen alkoi vuonna {start_year}."
        )
        target_change = (
            f"Muutoksen jälkeen {main[2]} {pick(CHANGES)}. {pick(SYSTEM_CHANGES)} "
            f"Pitkällä aikavälillä tavoitellaan {problem[1]} vähenemistä ja {resource[1]} "
            f"vahvistumista."
        )
        participants = rng.randint(8, 60)
        target_group = (
            f"Toimintamalli on suunnattu {self._allatives(groups)}, {pick(AUDIENCE_CLAUSES)}. "
            f"Asiakasymmärrystä on kerätty {' ja '.join(pick(INSIGHT_METHODS, 2))}. "
            f"Kehittämiseen osallistui {participants} {main[3]}."
        )

        solution = [
            f"Toiminnan ytimessä on {pick(CORES)}. {pick(ACTORS)} {pick(ACTIVITIES)} "
            f"{pick(PLACES)} {pick(FREQUENCIES)}.",
        ]
        if rng.random() < 0.5:
            steps = sorted(rng.sample(range(len(STEPS)), rng.randint(3, 5)))
            solution += ["", "Toimintamalli etenee seuraavasti:", ""]
            solution += [f"- {STEPS[i]}" for i in steps]
        tools = pick(TOOLS, 2)
        solution += ["", f"Toimintamallia on kehittänyt {organisations[0]}."]
        if len(organisations) > 1:
            solution[-1] += f" Mukana on myös {' ja '.join(organisations[1:])}."
        solution += [
            "",
            f"Työvälineinä käytetään {tools[0]} ja {tools[1]}. Lisäksi {pick(PASSIVES)} "
            f"{pick(objects)} yhdessä {pick(groups)[0]} kanssa.",
        ]
        reached = rng.choice(("40", "80", "120", "200", "350", "500", "800", "1 200"))
        results = (
            f"Kokeilun aikana toiminta tavoitti yli {reached} {main[3]}. "
            f"Osallistujista {rng.randint(55, 96)} prosenttia koki {pick(BENEFITS)}. "
            f"Ammattilaisten mukaan {pick(PROFESSIONAL_VIEWS)}. "
            f"{resource[0][0].upper()}{resource[0][1:]} on vahvistunut ja {problem[0]} "
            f"vähentynyt osallistujien keskuudessa. "
            f"Palaute on ollut {pick(FEEDBACK)}."
        )
        indicators = pick(INDICATORS, 3)
        measures = pick(MEASURES, 2)
        evaluation = (
            f"Vaikutuksia seurataan {indicators[0]}, {indicators[1]} ja {indicators[2]} avulla. "
            f"Mittareina käytetään {measures[0]} ja {measures[1]}. "
            f"Arviointi tehdään {pick(EVALUATION_TIMES)}."
        )
        requirements = pick(REQUIREMENTS, 2)
        adoption = (
            f"Käyttöönotto edellyttää {requirements[0]} ja {requirements[1]}. "
            f"Toimintamallin juurtuminen vaatii, että {pick(ROOTING_CONDITIONS)}."
        )
        tips = pick(TIPS, 2)
        tips_text = f"Kannattaa {tips[0]}. Lisäksi on hyvä {tips[1]}."
        euros = f"{rng.choice((2, 5, 8, 12, 20, 35, 50, 80, 120, 150))} 000"
        resources = (
            f"Toiminta vaatii noin {pick(WORK_YEARS)} henkilötyövuoden panoksen. "
            f"Vuosikustannukset ovat noin {euros} euroa, ja ne muodostuvat pääosin "
            f"{pick(COST_SOURCES)}."
        )
        return {
            "summary_fi": summary,
            "need_and_goals_fi": need,
            "target_change_fi": target_change,
            "target_group_description_fi": target_group,
            "solution_fi": "\n".join(solution),
            "results_fi": results,
            "evaluation_fi": evaluation,
            "adoption_conditions_fi": adoption,
            "tips_for_adopters_fi": tips_text,
            "resources_and_costs_fi": resources,
        }

    @staticmethod
    def _allatives(groups):
        names = [group[1] for group in groups]
        if len(names) == 1:
            return names[0]
        return ", ".join(names[:-1]) + " ja " + names[-1]


class PracticeGenerator:
    """Builds unsaved practices and their relation rows from the reference data."""

    def __init__(self, rng, status):
        self.rng = rng
        self.status = status
        self.text = TextComposer(rng)
        self.now = timezone.now()

        self.municipalities = list(
            Municipality.objects.order_by("code").values(
                "pk", "name_fi", "region_id", "wellbeing_county_id", "population"
            )
        )
        self.counties = list(
            WellbeingServicesCounty.objects.filter(kind=WellbeingServicesCounty.Kind.COUNTY)
            .order_by("slug")
            .values("pk", "name_fi", "region_id")
        )
        self.stages = list(DevelopmentStage.objects.order_by("order", "slug").values("pk", "slug"))
        self.themes = list(Theme.objects.order_by("order", "slug").values("pk", "slug"))
        self.groups = list(TargetGroup.objects.order_by("order", "slug").values("pk", "slug"))
        self.funders = list(Funder.objects.order_by("order", "slug").values("pk", "slug"))
        missing = [
            label
            for label, rows in (
                (_("municipalities"), self.municipalities),
                (_("development stages"), self.stages),
                (_("themes"), self.themes),
                (_("target groups"), self.groups),
            )
            if not rows
        ]
        if missing:
            raise CommandError(
                _(
                    "The reference data is missing: %(missing)s. "
                    "Run “python manage.py load_reference_data” first."
                )
                % {"missing": ", ".join(missing)}
            )

        # Bigger places get more practices, but not in proportion to their population.
        weights = [math.sqrt(m["population"] or 1000) for m in self.municipalities]
        self.municipality_weights = list(_cumulative(weights))
        self.by_county = {}
        for municipality in self.municipalities:
            self.by_county.setdefault(municipality["wellbeing_county_id"], []).append(municipality)
        self.stage_weights = list(
            _cumulative([STAGE_WEIGHTS.get(stage["slug"], 10) for stage in self.stages])
        )

        self.slugs = set(Practice.objects.values_list("slug", flat=True))
        # Every translation column is given explicitly: modeltranslation would otherwise work
        # out each missing one's default under a language override, which is slow in bulk.
        self.empty_translations = {
            f"{field}_{language}": "" if language == "fi" else None
            for field in translator.get_options_for_model(Practice).all_fields
            for language in ("fi", "sv", "en")
        }
        self.organisation_slugs = set(Organisation.objects.values_list("slug", flat=True))
        # Existing organisations are reused: the oldest one of a municipality or county.
        self.organisation_names = {}
        self.municipal_organisations = {}
        self.county_organisations = {}
        for pk, name, kind, municipality_id, county_id in (
            Organisation.objects.filter(
                type__in=[Organisation.Type.MUNICIPALITY, Organisation.Type.WELLBEING_COUNTY]
            )
            .order_by("-pk")
            .values_list("pk", "name_fi", "type", "municipality_id", "wellbeing_county_id")
        ):
            if kind == Organisation.Type.MUNICIPALITY and municipality_id:
                self.municipal_organisations[municipality_id] = pk
                self.organisation_names[pk] = name
            elif kind == Organisation.Type.WELLBEING_COUNTY and county_id:
                self.county_organisations[county_id] = pk
                self.organisation_names[pk] = name
        self.county_pks = {county["pk"] for county in self.counties}

    # Organisations are created the first time a place needs one and reused afterwards.

    def _unique_slug(self, text, taken, max_length):
        base = slugify(text)[: max_length - 8].strip("-") or "kaytanto"
        slug, n = base, 2
        while slug in taken:
            slug = f"{base}-{n}"
            n += 1
        taken.add(slug)
        return slug

    def _organisation(self, name, **fields):
        organisation = Organisation(
            name_fi=name, slug=self._unique_slug(name, self.organisation_slugs, 200), **fields
        )
        organisation.save()
        self.organisation_names[organisation.pk] = name
        return organisation.pk

    def municipal_organisation(self, municipality):
        pk = self.municipal_organisations.get(municipality["pk"])
        if pk is None:
            pk = self._organisation(
                municipal_organisation_name(municipality["name_fi"]),
                type=Organisation.Type.MUNICIPALITY,
                municipality_id=municipality["pk"],
            )
            self.municipal_organisations[municipality["pk"]] = pk
        return pk

    def county_organisation(self, county_id):
        pk = self.county_organisations.get(county_id)
        if pk is None:
            county = next(c for c in self.counties if c["pk"] == county_id)
            pk = self._organisation(
                county["name_fi"],
                type=Organisation.Type.WELLBEING_COUNTY,
                wellbeing_county_id=county_id,
            )
            self.county_organisations[county_id] = pk
        return pk

    def _municipal_role(self, municipality, role):
        return (self.municipal_organisation(municipality), role, self.rng.choice(MUNICIPAL_UNITS))

    def _county_role(self, county_id, role):
        return (self.county_organisation(county_id), role, self.rng.choice(COUNTY_UNITS))

    def places(self):
        """A dict of municipalities, counties, regions, is_national, location note and
        organisation roles (organisation id, role, unit)."""
        rng, Role = self.rng, PracticeOrganisation.Role
        roll = rng.random()
        if roll < 0.03:
            # A national practice, developed in one municipality.
            home = self._municipality()
            return {
                "municipalities": [home],
                "counties": [home["wellbeing_county_id"]] if home["wellbeing_county_id"] else [],
                "regions": [home["region_id"]],
                "is_national": True,
                "location": "Koko Suomi",
                "roles": [self._municipal_role(home, Role.DEVELOPER)],
            }
        if roll < 0.18 and self.counties:
            county = rng.choice(self.counties)
            members = self.by_county.get(county["pk"], [])
            chosen = rng.sample(members, min(len(members), rng.randint(0, 2)))
            return {
                "municipalities": chosen,
                "counties": [county["pk"]],
                "regions": [county["region_id"]],
                "is_national": False,
                "location": county["name_fi"],
                "roles": [self._county_role(county["pk"], Role.OWNER)]
                + [self._municipal_role(m, Role.PARTNER) for m in chosen],
            }
        home = self._municipality()
        chosen = [home]
        if rng.random() < 0.25 and home["wellbeing_county_id"]:
            neighbours = [m for m in self.by_county[home["wellbeing_county_id"]] if m is not home]
            chosen += rng.sample(neighbours, min(len(neighbours), rng.randint(1, 2)))
        roles = [self._municipal_role(home, Role.OWNER)]
        roles += [self._municipal_role(m, Role.IMPLEMENTER) for m in chosen[1:]]
        county_id = home["wellbeing_county_id"]
        if county_id in self.county_pks and rng.random() < 0.3:
            roles.append(self._county_role(county_id, Role.PARTNER))
        return {
            "municipalities": chosen,
            "counties": sorted({m["wellbeing_county_id"] for m in chosen} - {None}),
            "regions": sorted({m["region_id"] for m in chosen}),
            "is_national": False,
            "location": ", ".join(m["name_fi"] for m in chosen),
            "roles": roles,
        }

    def _municipality(self):
        return self.rng.choices(self.municipalities, cum_weights=self.municipality_weights)[0]

    def practice(self):
        """One unsaved Practice and a dict of the relation rows it needs."""
        rng = self.rng
        themes = rng.sample(self.themes, min(len(self.themes), rng.choice((1, 1, 2, 2, 3))))
        groups = rng.sample(self.groups, min(len(self.groups), rng.choice((1, 1, 2, 3))))
        group_forms = [GROUP_FORMS.get(g["slug"], GENERIC_GROUP) for g in groups]
        funders = []
        if self.funders and rng.random() < 0.6:
            funders = rng.sample(self.funders, min(len(self.funders), rng.choice((1, 1, 2))))
        funder_slugs = {f["slug"] for f in funders}
        programme = rng.choice(RRP_PROGRAMMES) if "eu-rrp" in funder_slugs else ""

        places = self.places()
        stage = rng.choices(self.stages, cum_weights=self.stage_weights)[0]
        start_year = rng.choice(range(2010, self.now.year + 1))
        first_day = datetime.datetime(start_year, 1, 1, tzinfo=datetime.UTC)
        span = max((self.now - first_day).total_seconds(), 1)
        created_at = first_day + datetime.timedelta(seconds=rng.random() * span)
        published_at = None
        if self.status == Practice.Status.PUBLISHED:
            published_at = min(created_at + datetime.timedelta(days=rng.randint(0, 30)), self.now)

        name = self.text.name(group_forms[0])
        practice = Practice(
            **{
                **self.empty_translations,
                **self.text.practice_texts(
                    [t["slug"] for t in themes],
                    group_forms,
                    [self.organisation_names[role[0]] for role in places["roles"]],
                    start_year,
                ),
                "name_fi": name,
                "location_note_fi": places["location"],
            },
            slug=self._unique_slug(name, self.slugs, 255),
            status=self.status,
            stage_id=stage["pk"],
            start_year=start_year,
            content_language=Practice.Language.FINNISH,
            is_national=places["is_national"],
            funding_programme=programme,
            created_at=created_at,
            published_at=published_at,
        )
        relations = {
            "themes": [t["pk"] for t in themes],
            "target_groups": [g["pk"] for g in groups],
            "funders": [f["pk"] for f in funders],
            "municipalities": [m["pk"] for m in places["municipalities"]],
            "wellbeing_counties": places["counties"],
            "regions": places["regions"],
            "roles": places["roles"],
        }
        return practice, relations


def _cumulative(weights):
    total = 0
    for weight in weights:
        total += weight
        yield total


M2M_FIELDS = (
    "themes",
    "target_groups",
    "funders",
    "municipalities",
    "wellbeing_counties",
    "regions",
)


def write_batch(batch, using=DEFAULT_DB_ALIAS):
    """Insert a batch of (practice, relations) and their relation rows; return the row count.
    PostgreSQL gets the rows with COPY (as the spreadsheet import writes them), several times
    faster than bulk_create for these wide rows."""
    practices = [practice for practice, _relations in batch]
    if connections[using].vendor == "postgresql":
        for _written in create_practices(practices, using):
            pass
    else:
        Practice.objects.using(using).bulk_create(practices)
    rows = len(practices)
    for name in M2M_FIELDS:
        field = Practice._meta.get_field(name)
        through = field.remote_field.through
        columns = (
            through._meta.get_field(field.m2m_field_name()).attname,
            through._meta.get_field(field.m2m_reverse_field_name()).attname,
        )
        links = [(practice.pk, pk) for practice, relations in batch for pk in relations[name]]
        insert_rows(through, columns, links, using)
        rows += len(links)
    roles = [
        (practice.pk, organisation, role, unit, order)
        for practice, relations in batch
        for order, (organisation, role, unit) in enumerate(relations["roles"])
    ]
    insert_rows(
        PracticeOrganisation,
        ("practice_id", "organisation_id", "role", "unit", "order"),
        roles,
        using,
    )
    return rows + len(roles)


def index_new_practices(using=DEFAULT_DB_ALIAS, jobs=INDEX_JOBS):
    """Index the practices that have no search document yet. On PostgreSQL, once the
    practices are committed, in `jobs` threads with a connection each: a thread analyses the
    texts of its next batch in Python while the server computes the other's search vectors, so
    that two cores both work. (In an open transaction, as in the tests, other connections
    cannot see the practices: one thread then.)"""
    practices = Practice.objects.using(using).filter(search_document__isnull=True)
    connection = connections[using]
    if jobs < 2 or connection.vendor != "postgresql" or connection.in_atomic_block:
        index_practices(practices, using=using)
        return
    ids = list(practices.order_by("pk").values_list("pk", flat=True))
    if not ids:
        return
    share = math.ceil(len(ids) / jobs)

    def index_share(part):
        try:
            index_practices(part, using=using)
        finally:
            connections[using].close()

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [
            pool.submit(index_share, ids[first : first + share])
            for first in range(0, len(ids), share)
        ]
    for future in futures:
        future.result()


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Create N synthetic practices with Finnish text, random stages, themes, target "
            "groups, funders, places and organisations, for development and benchmarks. "
            "Needs the reference data (python manage.py load_reference_data). The same --seed "
            "on the same database gives the same practices; slugs stay unique when run again."
        )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help=_("Number of practices to create."))
        parser.add_argument(
            "--seed",
            type=int,
            default=None,
            help=_("Seed of the random generator, for repeatable data."),
        )
        parser.add_argument(
            "--status",
            choices=Practice.Status.values,
            default=Practice.Status.PUBLISHED,
            help=_("Status of the created practices (default: %(default)s)."),
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=_("Practices written per bulk insert (default: %(default)s)."),
        )

    def handle(self, *args, count, seed, status, batch_size, **options):
        if count < 1:
            raise CommandError(_("N must be at least 1."))
        if batch_size < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        started = time.perf_counter()
        rng = random.Random(seed)
        rows = 0
        # Finnish active: modeltranslation fills the untranslated columns from the _fi ones.
        with (
            transaction.atomic(),
            translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE),
        ):
            generator = PracticeGenerator(rng, status)
            for first in range(0, count, batch_size):
                size = min(batch_size, count - first)
                rows += write_batch([generator.practice() for _i in range(size)])
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Created %(count)d practices (%(rows)d rows with their links) in %(seconds).1f "
                    "s: %(rate)d practices per second."
                )
                % {
                    "count": count,
                    "rows": rows,
                    "seconds": seconds,
                    "rate": round(count / seconds) if seconds else count,
                }
            )
        )
        index_new_practices()
