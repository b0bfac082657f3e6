"""A small catalogue of practices whose right answers to everyday searches are known.

About forty short cards in the style of real ones, mostly in Finnish, some with Swedish or
English translations and two written in Swedish or English first. Between them they hold the
things people search by: inflected words (vanhempainilloissa), compounds whose parts are
searched alone (järjestöyhteistyö, ikäneuvola), places and organisations, and translations.
Two cards are not published and must never be found.

load_corpus() writes them into a database that already has the reference data (areas and
lookup lists: `load_reference_data`); load_catalogue() writes everything the cases in cases.py
expect: the reference data, the six demo practices and the corpus, and builds the search index.
"""

from dataclasses import dataclass, field
from io import StringIO

from django.core.management import call_command

from organisations.models import Municipality, Organisation
from practices.models import Practice, PracticeOrganisation, TargetGroup, Theme
from practices.search.indexing import rebuild_index

Type = Organisation.Type
Role = PracticeOrganisation.Role

# Organisations the cards name that the demo data may not have: slug → (name, type, Swedish).
ORGANISATIONS = {
    "espoon-kaupunki": ("Espoon kaupunki", Type.MUNICIPALITY, "Esbo stad"),
    "keravan-kaupunki": ("Keravan kaupunki", Type.MUNICIPALITY, "Kervo stad"),
    "tampereen-kaupunki": ("Tampereen kaupunki", Type.MUNICIPALITY, "Tammerfors stad"),
    "oulun-kaupunki": ("Oulun kaupunki", Type.MUNICIPALITY, "Uleåborgs stad"),
    "lohjan-kaupunki": ("Lohjan kaupunki", Type.MUNICIPALITY, "Lojo stad"),
    "lahden-kaupunki": ("Lahden kaupunki", Type.MUNICIPALITY, "Lahtis stad"),
    "jarvenpaan-kaupunki": ("Järvenpään kaupunki", Type.MUNICIPALITY, "Träskända stad"),
    "luksia": ("Luksia", Type.EDUCATION, ""),
    "folkhalsan": ("Folkhälsan", Type.NGO, "Folkhälsan"),
    "ita-uudenmaan-hyvinvointialue": (
        "Itä-Uudenmaan hyvinvointialue",
        Type.WELLBEING_COUNTY,
        "Östra Nylands välfärdsområde",
    ),
    "paijat-hameen-hyvinvointialue": (
        "Päijät-Hämeen hyvinvointialue",
        Type.WELLBEING_COUNTY,
        "Päijänne-Tavastlands välfärdsområde",
    ),
    "vantaan-ja-keravan-hyvinvointialue": (
        "Vantaan ja Keravan hyvinvointialue",
        Type.WELLBEING_COUNTY,
        "Vanda och Kervo välfärdsområde",
    ),
    "mll-uudenmaan-piiri": (
        "Mannerheimin Lastensuojeluliitto, Uudenmaan piiri",
        Type.NGO,
        "Mannerheims Barnskyddsförbund, Nylands distrikt",
    ),
    "seinajoen-kaupunki": ("Seinäjoen kaupunki", Type.MUNICIPALITY, ""),
    "muistiyhdistys": ("Etelä-Karjalan Muistiyhdistys ry", Type.NGO, ""),
}


@dataclass
class Card:
    slug: str
    name_fi: str
    summary_fi: str
    body_fi: str = ""
    places: tuple = ()  # municipality slugs; their regions and counties are added too
    organisations: tuple = ()  # (organisation slug, role)
    themes: tuple = ()
    target_groups: tuple = ()
    translations: dict = field(default_factory=dict)  # e.g. {"name_sv": …, "summary_en": …}
    content_language: str = "fi"
    status: str = Practice.Status.PUBLISHED


CARDS = [
    Card(
        "vanhempainillat-verkossa",
        "Vanhempainillat verkossa",
        "Espoon koulut järjestävät yhteiset vanhempainillat verkossa kerran lukukaudessa. "
        "Vanhemmat voivat osallistua kotoa käsin.",
        "Vanhempainilloissa käsitellään ajankohtaisia aiheita, kuten nuorten unta, ruutuaikaa "
        "ja koulunkäynnin tukea. Vanhempainiltojen aiheet valitaan vanhempien toiveiden "
        "perusteella, ja jokaisen illan jälkeen kerätään palaute.",
        places=("espoo",),
        organisations=(("espoon-kaupunki", Role.OWNER),),
        themes=("opetus-ja-kasvatus", "lapsiperheet"),
        target_groups=("vanhemmat",),
        translations={
            "name_sv": "Föräldrakvällar på nätet",
            "summary_sv": "Skolorna i Esbo ordnar gemensamma föräldrakvällar på nätet en gång "
            "per termin. Föräldrarna kan delta hemifrån.",
            "name_en": "Online parents' evenings",
            "summary_en": "Schools in Espoo hold joint parents' evenings online once a term. "
            "Parents can take part from home.",
        },
    ),
    Card(
        "isien-illat-perhekeskuksessa",
        "Isien illat perhekeskuksessa",
        "Perhekeskus kutsuu isät ja lapset yhteisiin iltoihin kerran kuussa. Illoissa "
        "leikitään, syödään iltapalaa ja jutellaan isyydestä.",
        "Toimintaa ohjaavat perhetyöntekijä ja vapaaehtoinen isä. Illat ovat maksuttomia, eikä "
        "niihin tarvitse ilmoittautua.",
        places=("kuopio",),
        themes=("lapsiperheet",),
        target_groups=("vanhemmat", "lapsiperheet"),
    ),
    Card(
        "jarjestoyhteistyon-vuosikello",
        "Järjestöyhteistyön vuosikello",
        "Keravan kaupunki ja paikalliset yhdistykset sopivat vuosittain yhteisistä "
        "tapahtumista ja vastuista. Järjestöyhteistyö kootaan yhteen vuosikelloon.",
        "Kaupungin järjestökoordinaattori kutsuu yhdistykset kahdesti vuodessa "
        "järjestöfoorumiin. Foorumissa sovitaan tapahtumista, tilojen käytöstä ja avustusten "
        "hakuajoista.",
        places=("kerava",),
        organisations=(("keravan-kaupunki", Role.OWNER),),
        themes=("jarjestoyhteistyo", "osallisuus"),
        target_groups=("jarjestot",),
    ),
    Card(
        "lasten-mielenterveyden-tuki-koulussa",
        "Lasten mielenterveyden tuki koulussa",
        "Koulukuraattori ja koulupsykologi tukevat alakoululaisten mielenterveyttä matalalla "
        "kynnyksellä. Oppilaat voivat varata ajan itse.",
        "Luokissa pidetään mielenterveystaitojen tunteja, ja huoltajille järjestetään "
        "tietoiltoja lasten ahdistuksesta ja unesta.",
        places=("tampere",),
        organisations=(("tampereen-kaupunki", Role.OWNER),),
        themes=("mielenterveys", "lasten-ja-nuorten-hyvinvointi"),
        target_groups=("lapset",),
        translations={
            "name_sv": "Stöd för barns psykiska hälsa i skolan",
            "summary_sv": "Skolkuratorn och skolpsykologen stöder lågstadieelevernas psykiska "
            "hälsa med låg tröskel.",
            "name_en": "Mental health support for children at school",
            "summary_en": "The school social worker and psychologist support the mental health "
            "of primary school pupils with a low threshold.",
        },
    ),
    Card(
        "nuorten-mielenterveysneuvonta-chatissa",
        "Nuorten mielenterveysneuvonta chatissa",
        "Nuoret saavat keskusteluapua mielenterveyteen liittyviin huoliin nimettömästi "
        "chatissa arki-iltaisin.",
        "Chatissa päivystävät psykiatriset sairaanhoitajat ja koulutetut vapaaehtoiset. "
        "Tarvittaessa nuori ohjataan mielenterveyspalveluihin.",
        places=("oulu",),
        organisations=(("oulun-kaupunki", Role.PARTNER),),
        themes=("mielenterveys", "digitaaliset-palvelut"),
        target_groups=("nuoret",),
    ),
    Card(
        "puheeksiotto-varhaiskasvatuksessa",
        "Puheeksiotto varhaiskasvatuksessa",
        "Päiväkotien henkilöstö koulutetaan ottamaan huolet puheeksi vanhempien kanssa varhain "
        "ja kunnioittavasti.",
        "Varhaiskasvatuksen opettajat käyttävät yhteistä lomaketta, ja huolen puheeksiottoa "
        "harjoitellaan työpajoissa.",
        places=("lahti",),
        organisations=(("lahden-kaupunki", Role.OWNER),),
        themes=("ehkaiseva-tyo", "opetus-ja-kasvatus"),
        target_groups=("ammattilaiset", "vanhemmat"),
    ),
    Card(
        "lapsiperheiden-kohtaamispaikka-raasepori",
        "Lapsiperheiden kohtaamispaikka Raaseporissa",
        "Avoin kohtaamispaikka, jossa vauvaperheet ja leikki-ikäisten lasten vanhemmat "
        "tapaavat toisiaan ja saavat neuvoja perhetyöntekijöiltä.",
        places=("raasepori",),
        organisations=(("folkhalsan", Role.OWNER),),
        themes=("lapsiperheet",),
        target_groups=("lapsiperheet", "lapset"),
        content_language="sv",
        translations={
            "name_sv": "Barnfamiljernas mötesplats i Raseborg",
            "summary_sv": "En öppen mötesplats där barnfamiljer och föräldrar till små barn "
            "träffas och får råd av familjearbetare.",
            "solution_sv": "Mötesplatsen är öppen tre förmiddagar i veckan. Barnen leker medan "
            "föräldrarna samtalar om sömn, mat och vardag.",
        },
    ),
    Card(
        "ikaneuvola-ita-uudellamaalla",
        "Ikäneuvola Itä-Uudellamaalla",
        "Ikäneuvola tarjoaa 75 vuotta täyttäneille hyvinvointitarkastuksen ja neuvontaa kotona "
        "asumisen tueksi.",
        "Terveydenhoitaja tekee tarkastuksen kotikäyntinä tai neuvolassa asiakkaan toiveen mukaan.",
        places=("porvoo", "loviisa"),
        organisations=(("ita-uudenmaan-hyvinvointialue", Role.OWNER),),
        themes=("ikaantyneet", "ehkaiseva-tyo"),
        target_groups=("ikaantyneet",),
        translations={
            "name_sv": "Seniorrådgivning i Östra Nylands välfärdsområde",
            "summary_sv": "Seniorrådgivningen erbjuder alla som fyllt 75 år en "
            "hälsokontroll och råd om att bo kvar hemma.",
        },
    ),
    Card(
        "ystavapiiri-yksinaisille-ikaihmisille",
        "Ystäväpiiri yksinäisyyttä kokeville ikäihmisille",
        "Koulutetut vapaaehtoiset ohjaavat pienryhmiä, joissa yksinäisyyttä kokevat ikäihmiset "
        "tutustuvat toisiinsa.",
        "Ryhmä kokoontuu kaksitoista kertaa. Yksinäisyyden kokemus mitataan ryhmän alussa ja "
        "lopussa.",
        places=("jyvaskyla",),
        themes=("ikaantyneet", "osallisuus"),
        target_groups=("ikaantyneet",),
        translations={
            "name_sv": "Vänskapsgrupper för äldre som känner sig ensamma",
            "summary_sv": "Utbildade frivilliga leder smågrupper där äldre som upplever "
            "ensamhet lär känna varandra.",
            "name_en": "Friendship groups for lonely older people",
            "summary_en": "Trained volunteers lead small groups where older people who feel "
            "lonely get to know each other.",
        },
    ),
    Card(
        "kiusaamisen-vastainen-toimintamalli",
        "Kiusaamisen vastainen toimintamalli yläkouluihin",
        "Koulut puuttuvat kiusaamiseen yhteisen toimintamallin mukaan, ja oppilaat toimivat "
        "tukioppilaina.",
        "Kiusaamistilanteet selvitetään saman päivän aikana. Huoltajille kerrotaan, miten "
        "tilannetta seurataan.",
        places=("turku",),
        themes=("lasten-ja-nuorten-hyvinvointi", "opetus-ja-kasvatus"),
        target_groups=("nuoret",),
        translations={
            "name_en": "Anti-bullying model for lower secondary schools",
            "summary_en": "Schools tackle bullying with a shared model, and pupils act as peer "
            "supporters.",
        },
    ),
    Card(
        "omaishoitajien-valmennus",
        "Omaishoitajien valmennus",
        "Uusille omaishoitajille järjestetään valmennus, jossa käydään läpi omaishoidon tuki, "
        "vapaapäivät ja oma jaksaminen.",
        "Valmennus koostuu kuudesta ryhmätapaamisesta, joissa omaishoitajat saavat "
        "vertaistukea toisiltaan.",
        places=("seinajoki",),
        organisations=(("seinajoen-kaupunki", Role.OWNER),),
        themes=("ikaantyneet",),
        target_groups=("kuntalaiset",),
    ),
    Card(
        "kotoutumista-tukeva-perhetyo",
        "Kotoutumista tukeva perhetyö",
        "Maahan muuttaneet perheet saavat perhetyöntekijän tuen arjen asioihin ja palveluihin "
        "tutustumiseen omalla kielellään.",
        "Perhetyöntekijä tekee kotikäyntejä Vantaalla ja ohjaa vanhempia suomen kielen kursseille.",
        places=("vantaa",),
        organisations=(("vantaan-ja-keravan-hyvinvointialue", Role.OWNER),),
        themes=("lapsiperheet", "yhdenvertaisuus"),
        target_groups=("maahan-muuttaneet", "lapsiperheet"),
    ),
    Card(
        "digituki-kirjastossa",
        "Digituki kirjastossa",
        "Lohjan pääkirjastossa digitukihenkilöt opastavat kuntalaisia sähköisessä asioinnissa "
        "kahdesti viikossa.",
        "Digitukea antavat kirjaston työntekijät ja Luksian opiskelijat. Neuvonta on "
        "maksutonta, eikä siihen tarvitse varata aikaa.",
        places=("lohja",),
        organisations=(("lohjan-kaupunki", Role.OWNER), ("luksia", Role.PARTNER)),
        themes=("digitaaliset-palvelut",),
        target_groups=("kuntalaiset", "ikaantyneet"),
    ),
    Card(
        "liikuntaneuvonta-terveysasemalla",
        "Liikuntaneuvonta terveysasemalla",
        "Terveysasemalta ohjataan vähän liikkuvat aikuiset liikuntaneuvojalle, joka laatii "
        "heidän kanssaan oman liikuntasuunnitelman.",
        "Kaupungin liikuntapalvelut ja terveysasema ovat sopineet yhteisestä ohjauskäytännöstä.",
        places=("jarvenpaa",),
        organisations=(("jarvenpaan-kaupunki", Role.OWNER),),
        themes=("liikunta-ja-terveys",),
        target_groups=("tyoikaiset",),
    ),
    Card(
        "nuorten-paihdetyon-vastaanotto",
        "Nuorten päihdetyön matalan kynnyksen vastaanotto",
        "Nuoret voivat tulla keskustelemaan päihteiden käytöstä ilman ajanvarausta.",
        "Vastaanotolla työskentelevät päihdetyöntekijä ja nuorisotyöntekijä. Päihteistä "
        "puhutaan avoimesti ja syyllistämättä.",
        places=("hameenlinna",),
        themes=("paihteet-ja-riippuvuudet",),
        target_groups=("nuoret",),
    ),
    Card(
        "tyohyvinvoinnin-pulssikysely",
        "Työhyvinvoinnin pulssikysely",
        "Henkilöstön työhyvinvointia seurataan neljästi vuodessa lyhyellä kyselyllä, ja "
        "tulokset käsitellään tiimeissä.",
        places=("kotka",),
        themes=("tyohyvinvointi", "johtaminen"),
        target_groups=("ammattilaiset",),
    ),
    Card(
        "hyvinvointikertomus-talousarvioon",
        "Hyvinvointikertomus osaksi talousarviota",
        "Kunnan hyvinvointikertomuksen tavoitteet kirjataan talousarvioon, ja valtuusto seuraa "
        "niiden toteutumista.",
        places=("mikkeli",),
        themes=("johtaminen", "hyvinvoinnin-edistaminen"),
        target_groups=("johto-ja-esihenkilot",),
    ),
    Card(
        "asukasraati-palvelujen-kehittamisessa",
        "Asukasraati palvelujen kehittämisessä",
        "Arvotuista asukkaista koottu raati antaa suosituksia kaupungin palvelujen kehittämiseen.",
        places=("pori",),
        themes=("osallisuus",),
        target_groups=("kuntalaiset",),
    ),
    Card(
        "etsiva-nuorisotyo-verkossa",
        "Etsivä nuorisotyö verkossa",
        "Etsivät nuorisotyöntekijät tavoittavat koulutuksen ja työn ulkopuolella olevia nuoria "
        "sosiaalisessa mediassa ja verkkopeleissä.",
        places=("rovaniemi",),
        themes=("lasten-ja-nuorten-hyvinvointi", "digitaaliset-palvelut"),
        target_groups=("nuoret",),
    ),
    Card(
        "muistikahvila",
        "Muistikahvila muistisairaille ja läheisille",
        "Kuukausittainen muistikahvila kokoaa muistisairaat ja heidän läheisensä keskustelemaan "
        "ja saamaan tietoa.",
        places=("lappeenranta",),
        organisations=(("muistiyhdistys", Role.OWNER),),
        themes=("ikaantyneet",),
        target_groups=("ikaantyneet",),
    ),
    Card(
        "perhekeskuksen-puhelinneuvonta",
        "Perhekeskuksen palveluohjaus puhelimessa",
        "Lapsiperheet saavat yhdestä numerosta neuvoja ja ohjauksen oikeaan palveluun "
        "Päijät-Hämeen hyvinvointialueella.",
        places=("heinola", "orimattila"),
        organisations=(("paijat-hameen-hyvinvointialue", Role.OWNER),),
        themes=("palveluohjaus", "lapsiperheet"),
        target_groups=("lapsiperheet",),
    ),
    Card(
        "koululaisten-liikuntakerhot",
        "Koululaisten maksuttomat liikuntakerhot",
        "Iltapäivisin koulujen liikuntasaleissa on maksuttomia liikuntakerhoja kaikille "
        "alakoululaisille.",
        places=("orimattila",),
        themes=("liikunta-ja-terveys", "lasten-ja-nuorten-hyvinvointi"),
        target_groups=("lapset",),
    ),
    Card(
        "seniorit-liikkeelle",
        "Seniorit liikkeelle -lähiliikuntaryhmät",
        "Ikääntyneille järjestetään lähiliikuntaryhmiä asuinalueiden kerhotiloissa ja puistoissa.",
        "Yhteinen liikunta tuo arkeen tuttuja ihmisiä ja vähentää yksinäisyyttä.",
        places=("kokkola",),
        themes=("liikunta-ja-terveys", "ikaantyneet"),
        target_groups=("ikaantyneet",),
        translations={
            "name_sv": "Seniorer i rörelse – motionsgrupper nära hemmet",
            "summary_sv": "För äldre ordnas motionsgrupper i bostadsområdenas klubblokaler och "
            "parker.",
            "name_en": "Seniors on the move: exercise groups near home",
            "summary_en": "Exercise groups for older people in the club rooms and parks of "
            "residential areas.",
            "solution_en": "Exercising together brings familiar faces into everyday life and "
            "eases loneliness.",
        },
    ),
    Card(
        "harrastusluotsi-vammaisille-nuorille",
        "Harrastusluotsi vammaisille nuorille",
        "Harrastusluotsi auttaa vammaisia nuoria löytämään mieluisan harrastuksen ja "
        "tarvittaessa avustajan.",
        places=("kajaani",),
        themes=("yhdenvertaisuus", "osallisuus"),
        target_groups=("vammaiset-henkilot", "nuoret"),
    ),
    Card(
        "lahisuhdevakivallan-puheeksiotto-neuvolassa",
        "Lähisuhdeväkivallan puheeksiotto neuvolassa",
        "Neuvolan terveydenhoitajat kysyvät jokaiselta asiakkaalta lähisuhdeväkivallasta ja "
        "ohjaavat tarvittaessa avun piiriin.",
        places=("joensuu",),
        themes=("ehkaiseva-tyo", "lapsiperheet"),
        target_groups=("lapsiperheet",),
    ),
    Card(
        "nuorisovaltuuston-vaikuttamiskanava",
        "Nuorisovaltuuston vaikuttamiskanava",
        "Nuorisovaltuusto tuo nuorten äänen kaupungin päätöksentekoon ja kommentoi nuoria "
        "koskevia päätöksiä.",
        places=("vaasa",),
        themes=("osallisuus",),
        target_groups=("nuoret",),
        translations={
            "name_sv": "Ungdomsfullmäktiges påverkanskanal",
            "summary_sv": "Ungdomsfullmäktige för fram de ungas röst i stadens beslutsfattande.",
        },
    ),
    Card(
        "koulupudokkuuden-ehkaisy-toisella-asteella",
        "Koulupudokkuuden ehkäisy toisella asteella",
        "Opiskelijat, joiden opinnot uhkaavat keskeytyä, saavat henkilökohtaisen valmentajan.",
        places=("pietarsaari",),
        themes=("opetus-ja-kasvatus",),
        target_groups=("nuoret",),
        content_language="sv",
        translations={
            "name_sv": "Förebyggande av studieavbrott på andra stadiet",
            "summary_sv": "Studerande vars studier riskerar att avbrytas får en personlig coach.",
        },
    ),
    Card(
        "ruoka-avun-yhteistyoverkosto",
        "Ruoka-avun yhteistyöverkosto",
        "Seurakunta, järjestöt ja kaupunki jakavat ruoka-apua yhdessä ja ohjaavat avun "
        "tarvitsijoita muihin palveluihin.",
        places=("salo",),
        themes=("jarjestoyhteistyo",),
        target_groups=("kuntalaiset",),
    ),
    Card(
        "kiertava-hyvinvointiauto",
        "Kiertävä hyvinvointiauto",
        "Hyvinvointiauto kiertää kylissä ja tuo terveysneuvonnan ja palveluohjauksen lähelle "
        "asukkaita.",
        places=("kirkkonummi",),
        themes=("palveluohjaus",),
        target_groups=("kuntalaiset",),
        translations={
            "name_sv": "Den rörliga välfärdsbilen",
            "summary_sv": "Välfärdsbilen åker runt i byarna och för hälsorådgivning och "
            "servicehandledning nära invånarna.",
        },
    ),
    Card(
        "kulttuuripolku",
        "Kulttuuripolku päiväkodista yläkouluun",
        "Jokainen lapsi tutustuu päiväkodista yläkouluun kaupungin museoihin, teattereihin ja "
        "kirjastoihin kulttuuripolun avulla.",
        places=("kuopio",),
        themes=("opetus-ja-kasvatus",),
        target_groups=("lapset",),
    ),
    Card(
        "mielenterveyden-ensiapu-tyopaikoilla",
        "Mielenterveyden ensiapu työpaikoilla",
        "Esihenkilöt ja työntekijät koulutetaan tunnistamaan mielenterveyden ongelmia ja "
        "tukemaan työtoveria.",
        places=("helsinki",),
        themes=("mielenterveys", "tyohyvinvointi"),
        target_groups=("tyoikaiset",),
        translations={
            "name_en": "Mental health first aid at work",
            "summary_en": "Managers and staff learn to recognise mental health problems and to "
            "support a colleague.",
        },
    ),
    Card(
        "vauvaperheiden-vanhempainryhmat",
        "Vauvaperheiden vanhempainryhmät",
        "Lohjalla ensimmäisen lapsensa saaneet vanhemmat kokoontuvat neuvolan "
        "vanhempainryhmiin vauvan ensimmäisen vuoden aikana.",
        places=("lohja",),
        organisations=(("lohjan-kaupunki", Role.OWNER), ("mll-uudenmaan-piiri", Role.PARTNER)),
        themes=("lapsiperheet",),
        target_groups=("vanhemmat",),
    ),
    Card(
        "tyollisyyden-yhteinen-valmennus",
        "Työllisyyspalvelujen ja sosiaalityön yhteinen valmennus",
        "Pitkään työttömänä olleet saavat työvalmentajan ja sosiaaliohjaajan yhteisen tuen "
        "työelämään palaamiseen.",
        places=("lahti",),
        organisations=(("lahden-kaupunki", Role.OWNER),),
        themes=("hyvinvoinnin-edistaminen",),
        target_groups=("tyoikaiset",),
    ),
    Card(
        "kansainvalisten-perheiden-vertaisryhma",
        "Kansainvälisten perheiden vertaisryhmä",
        "Englanninkielinen vertaisryhmä Espooseen hiljattain muuttaneille perheille.",
        places=("espoo",),
        organisations=(("mll-uudenmaan-piiri", Role.OWNER),),
        themes=("lapsiperheet",),
        target_groups=("maahan-muuttaneet", "lapsiperheet"),
        content_language="en",
        translations={
            "name_en": "Peer group for international families",
            "summary_en": "A peer support group in English for families who have recently "
            "moved to Espoo.",
        },
    ),
    Card(
        "lasten-ja-nuorten-liikuntaneuvonta",
        "Lasten ja nuorten liikuntaneuvonta",
        "Liikuntaneuvoja tapaa vähän liikkuvia lapsia ja nuoria sekä heidän perheitään ja etsii "
        "heidän kanssaan mieluisan tavan liikkua.",
        places=("jyvaskyla",),
        themes=("liikunta-ja-terveys", "lasten-ja-nuorten-hyvinvointi"),
        target_groups=("lapset", "nuoret"),
    ),
    Card(
        "perheiden-ruokakoulu",
        "Perheiden ruokakoulu",
        "Lapsiperheet kokkaavat yhdessä ravitsemusterapeutin kanssa ja oppivat edullisen "
        "arkiruoan valmistusta.",
        places=("vantaa",),
        themes=("hyvinvoinnin-edistaminen", "lapsiperheet"),
        target_groups=("lapsiperheet",),
    ),
    # Not published: a search must never show these, however well they match.
    Card(
        "vanhempainiltojen-kasikirja-luonnos",
        "Vanhempainiltojen käsikirja",
        "Luonnos: vanhempainilta, vanhempainillat ja vanhempainilloissa toimivat menetelmät "
        "Lohjalla ja Järvenpäässä.",
        places=("lohja", "jarvenpaa"),
        organisations=(("luksia", Role.OWNER),),
        status=Practice.Status.DRAFT,
    ),
    Card(
        "mielenterveysneuvonta-arkistoitu",
        "Lasten mielenterveys ja muistikahvila",
        "Vanha kortti: lasten mielenterveys, muistikahvila ja järjestöyhteistyö.",
        places=("tampere",),
        status=Practice.Status.ARCHIVED,
    ),
]

UNPUBLISHED_SLUGS = frozenset(
    card.slug for card in CARDS if card.status != Practice.Status.PUBLISHED
)


def _organisation(slug):
    name, type_, name_sv = ORGANISATIONS[slug]
    organisation, _created = Organisation.objects.get_or_create(
        slug=slug, defaults={"name_fi": name, "name_sv": name_sv or None, "type": type_}
    )
    return organisation


def load_corpus():
    """Write the cards (the reference data must be loaded). Returns the practices made.

    The search index is not touched: rebuild it afterwards (practices.search.indexing
    rebuild_index), as a bulk load would."""
    municipalities = {
        m.slug: m
        for m in Municipality.objects.filter(
            slug__in={slug for card in CARDS for slug in card.places}
        ).select_related("region", "wellbeing_county")
    }
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    groups = {group.slug: group for group in TargetGroup.objects.all()}
    practices = []
    for card in CARDS:
        practice = Practice.objects.create(
            slug=card.slug,
            name_fi=card.name_fi,
            summary_fi=card.summary_fi,
            solution_fi=card.body_fi,
            status=card.status,
            content_language=card.content_language,
            location_note_fi=", ".join(municipalities[slug].name_fi for slug in card.places),
            **card.translations,
        )
        places = [municipalities[slug] for slug in card.places]
        practice.municipalities.set(places)
        practice.regions.set({place.region for place in places})
        practice.wellbeing_counties.set(
            {place.wellbeing_county for place in places if place.wellbeing_county}
        )
        practice.themes.set([themes[slug] for slug in card.themes])
        practice.target_groups.set([groups[slug] for slug in card.target_groups])
        for order, (slug, role) in enumerate(card.organisations):
            PracticeOrganisation.objects.create(
                practice=practice, organisation=_organisation(slug), role=role, order=order
            )
        practices.append(practice)
    return practices


def load_catalogue():
    """Reference data, the six demo practices and the corpus, with the search index built."""
    call_command("load_reference_data", stdout=StringIO())
    call_command("load_demo_data", stdout=StringIO())
    load_corpus()
    rebuild_index()
