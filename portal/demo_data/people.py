"""Organisations, trainees, visiting experts and demo logins. All people are fictional."""

from typing import NamedTuple


class Organisation(NamedTuple):
    key: str
    name: str
    native_name: str
    acronym: str
    kind: str
    country: str
    parent: str = ""


# Parents first: a child names its parent by key.
ORGANISATIONS = (
    Organisation("goi", "Federal Government of Iraq", "الحكومة الاتحادية العراقية", "GoI", "other", "IQ"),
    Organisation("momd", "Ministry of Migration and Displacement", "وزارة الهجرة والمهجرين", "MoMD", "ministry", "IQ", "goi"),
    Organisation("moi", "Ministry of Interior", "وزارة الداخلية", "MoI", "ministry", "IQ", "goi"),
    Organisation("krg", "Kurdistan Regional Government", "حكومة إقليم كوردستان", "KRG", "other", "IQ"),
    Organisation("moi-krg", "Ministry of Interior", "وزارة الداخلية في حكومة إقليم كوردستان", "MoI-KRG", "ministry", "IQ", "krg"),
    Organisation("jcc", "Joint Crisis Coordination Centre", "مركز التنسيق المشترك للأزمات", "JCC", "agency", "IQ", "krg"),
    Organisation("icmpd", "International Centre for Migration Policy Development", "", "ICMPD", "international", "AT"),
    Organisation("gop", "Government of Pakistan", "حکومتِ پاکستان", "GoP", "other", "PK"),
    Organisation("moi-pk", "Ministry of Interior", "وزارتِ داخلہ", "MoI", "ministry", "PK", "gop"),
    Organisation("fia", "Federal Investigation Agency", "وفاقی تحقیقاتی ادارہ", "FIA", "agency", "PK", "moi-pk"),
    Organisation("goa", "Government of the Islamic Republic of Afghanistan", "حکومت جمهوری اسلامی افغانستان", "GoIRA", "other", "AF"),
    Organisation("morr", "Ministry of Refugees and Repatriation", "وزارت امور مهاجرین و عودت کنندگان", "MoRR", "ministry", "AF", "goa"),
)  # fmt: skip
# The names of each organisation in Arabic and Russian (the languages of the site besides
# English), which nomination lists and the import match as well as the English name.
TRANSLATED_NAMES = {
    "goi": ("الحكومة الاتحادية العراقية", "Федеральное правительство Ирака"),
    "momd": ("وزارة الهجرة والمهجرين", "Министерство миграции и перемещённых лиц"),
    "moi": ("وزارة الداخلية", "Министерство внутренних дел"),
    "krg": ("حكومة إقليم كوردستان", "Региональное правительство Курдистана"),
    "moi-krg": ("وزارة الداخلية في حكومة إقليم كوردستان", "Министерство внутренних дел Курдистана"),
    "jcc": ("مركز التنسيق المشترك للأزمات", "Объединённый центр координации кризисного реагирования"),
    "icmpd": ("المركز الدولي لتطوير سياسات الهجرة", "Международный центр по развитию миграционной политики"),
    "gop": ("حكومة باكستان", "Правительство Пакистана"),
    "moi-pk": ("وزارة الداخلية الباكستانية", "Министерство внутренних дел Пакистана"),
    "fia": ("الوكالة الاتحادية للتحقيقات", "Федеральное агентство расследований"),
    "goa": ("حكومة جمهورية أفغانستان الإسلامية", "Правительство Исламской Республики Афганистан"),
    "morr": ("وزارة شؤون اللاجئين والعودة", "Министерство по делам беженцев и репатриации"),
}  # fmt: skip


class Trainee(NamedTuple):
    """One enrolled trainee: who they are, their test scores and the course days they missed.
    ``withdrawn`` is the reason, in plain words, when they left the course early."""

    first_name: str
    last_name: str
    native_name: str
    gender: str
    email: str
    phone: str
    organisation: str
    position: str
    pre_test: int | None = None
    post_test: int | None = None
    absent_days: tuple[int, ...] = ()
    withdrawn: str = ""
    country: str = "IQ"


F, M = "female", "male"

# 22 trainees; 19 meet the completion rule (80% of days, post-test 60). Hussein Al-Maliki
# scores 52, Mohammed Al-Ani misses three days, Bakhtiyar Hassan is recalled after day 3.
ERBIL_TRAINEES = (
    Trainee("Ahmed", "Al-Saadi", "أحمد الساعدي", M, "ahmed.alsaadi@momd-iraq.example", "+964 770 412 3581", "momd", "Director of Legal Affairs", 58, 86),
    Trainee("Zainab", "Al-Musawi", "زينب الموسوي", F, "zainab.almusawi@momd-iraq.example", "+964 780 255 7193", "momd", "Training Officer", 62, 91),
    Trainee("Haider", "Al-Khafaji", "حيدر الخفاجي", M, "", "+964 771 630 2248", "momd", "Head of Returnees Section", 45, 74, (6,)),
    Trainee("Noor", "Al-Obaidi", "نور العبيدي", F, "noor.alobaidi@momd-iraq.example", "+964 790 118 4420", "momd", "Senior Protection Officer", 55, 83),
    Trainee("Mustafa", "Al-Jubouri", "مصطفى الجبوري", M, "mustafa.aljubouri@momd-iraq.example", "+964 770 804 6617", "momd", "IDP Registration Officer", 40, 68, (2,)),
    Trainee("Rasha", "Al-Rubaie", "رشا الربيعي", F, "rasha.alrubaie@momd-iraq.example", "+964 781 392 0075", "momd", "Legal Researcher", 51, 79),
    Trainee("Ali", "Al-Tamimi", "علي التميمي", M, "ali.altamimi@momd-iraq.example", "+964 772 547 8832", "momd", "Head of Migration Policy Unit", 60, 88),
    Trainee("Saif", "Al-Dulaimi", "سيف الدليمي", M, "saif.aldulaimi@moi-iraq.example", "+964 770 931 2204", "moi", "Border Police Captain", 43, 71, (5,)),
    Trainee("Hussein", "Al-Maliki", "حسين المالكي", M, "hussein.almaliki@moi-iraq.example", "+964 780 670 1359", "moi", "Officer, Directorate of Residency Affairs", 38, 52),
    Trainee("Ammar", "Al-Zubaidi", "عمار الزبيدي", M, "ammar.alzubaidi@moi-iraq.example", "+964 790 284 5516", "moi", "Lieutenant Colonel, Directorate of Nationality", 49, 77),
    Trainee("Sarah", "Al-Hashimi", "سارة الهاشمي", F, "sarah.alhashimi@moi-iraq.example", "+964 771 405 9983", "moi", "Investigator, Anti-Trafficking Unit", 57, 89),
    Trainee("Omar", "Al-Shammari", "عمر الشمري", M, "", "+964 770 158 3362", "moi", "Training Officer, Police Academy", 52, 80, (8,)),
    Trainee("Mohammed", "Al-Ani", "محمد العاني", M, "mohammed.alani@moi-iraq.example", "+964 781 763 0427", "moi", "Officer, General Directorate of Passports", 47, 70, (4, 5, 6)),
    Trainee("Aras", "Mahmoud", "آراس محمود", M, "aras.mahmoud@moi-krg.example", "+964 750 446 1832", "moi-krg", "Officer, Directorate of Residency", 50, 81),
    Trainee("Shilan", "Othman", "شيلان عثمان", F, "shilan.othman@moi-krg.example", "+964 750 227 9051", "moi-krg", "Legal Adviser", 61, 90),
    Trainee("Karwan", "Aziz", "كاروان عزيز", M, "", "+964 751 389 6604", "moi-krg", "Border Crossing Officer, Ibrahim Khalil", 42, 69, (3,)),
    Trainee("Dilan", "Rashid", "ديلان رشيد", F, "dilan.rashid@moi-krg.example", "+964 750 912 4478", "moi-krg", "Training Officer", 56, 87),
    Trainee("Hemin", "Faraj", "هيمن فرج", M, "hemin.faraj@moi-krg.example", "+964 750 603 2195", "moi-krg", "Head of Anti-Trafficking Section", 53, 82),
    Trainee("Zhiyan", "Kamal", "ژیان کمال", F, "zhiyan.kamal@jcc-krg.example", "+964 750 874 3310", "jcc", "Camp Coordination Officer", 48, 76),
    Trainee("Rebwar", "Salih", "ريبوار صالح", M, "", "+964 751 140 7726", "jcc", "Data and Information Officer", 44, 73, (7,)),
    Trainee("Bakhtiyar", "Hassan", "بختيار حسن", M, "bakhtiyar.hassan@jcc-krg.example", "+964 750 365 0918", "jcc", "Humanitarian Coordination Officer", 46, None, (4, 5, 6, 7, 8, 9, 10), "Recalled to his duty station in Duhok after day 3."),
    Trainee("Nasreen", "Ahmed", "نسرين أحمد", F, "nasreen.ahmed@jcc-krg.example", "+964 750 591 2263", "jcc", "Returns and Durable Solutions Officer", 54, 84),
)  # fmt: skip

# Staff of the ministry's Baghdad offices; 10 of 12 complete (one scores 55, one misses two days).
BAGHDAD_TRAINEES = (
    Trainee("Yasir", "Al-Bayati", "ياسر البياتي", M, "yasir.albayati@momd-iraq.example", "+964 770 219 4456", "momd", "Case Worker, Baghdad Branch", 41, 75),
    Trainee("Huda", "Al-Karkhi", "هدى الكرخي", F, "huda.alkarkhi@momd-iraq.example", "+964 780 661 2039", "momd", "Registration Officer", 47, 80),
    Trainee("Firas", "Al-Azzawi", "فراس العزاوي", M, "", "+964 790 402 8817", "momd", "IDP Camp Liaison Officer", 39, 66, (2,)),
    Trainee("Maryam", "Al-Saffar", "مريم الصفار", F, "maryam.alsaffar@momd-iraq.example", "+964 771 538 9024", "momd", "Legal Researcher", 52, 84),
    Trainee("Karrar", "Al-Fatlawi", "كرار الفتلاوي", M, "karrar.alfatlawi@momd-iraq.example", "+964 770 847 1163", "momd", "Returns Officer", 36, 55),
    Trainee("Shahad", "Al-Qaisi", "شهد القيسي", F, "shahad.alqaisi@momd-iraq.example", "+964 781 295 6640", "momd", "Data Officer", 44, 78),
    Trainee("Ibrahim", "Al-Nuaimi", "إبراهيم النعيمي", M, "", "+964 772 316 4509", "momd", "Head of Reception Unit", 50, 82),
    Trainee("Duaa", "Al-Lami", "دعاء اللامي", F, "duaa.allami@momd-iraq.example", "+964 790 753 2281", "momd", "Psychosocial Support Officer", 46, 79, (4,)),
    Trainee("Yousif", "Al-Hamdani", "يوسف الحمداني", M, "yousif.alhamdani@momd-iraq.example", "+964 770 680 3397", "momd", "Administrative Officer", 42, 70, (2, 3)),
    Trainee("Abbas", "Al-Kaabi", "عباس الكعبي", M, "abbas.alkaabi@momd-iraq.example", "+964 780 134 7752", "momd", "Case Worker, Karkh Office", 48, 81),
    Trainee("Hiba", "Al-Hilli", "هبة الحلي", F, "hiba.alhilli@momd-iraq.example", "+964 771 962 0438", "momd", "Protection Officer", 55, 86),
    Trainee("Muntadhar", "Al-Asadi", "منتظر الأسدي", M, "muntadhar.alasadi@momd-iraq.example", "+964 790 527 1846", "momd", "Registration Officer", 43, 74),
)  # fmt: skip

# Nominated, not yet confirmed: no scores, no attendance. Naqibullah has a single name.
ISLAMABAD_TRAINEES = (
    Trainee("Muhammad Imran", "Khan", "محمد عمران خان", M, "imran.khan@fia-pakistan.example", "+92 300 512 3478", "fia", "Assistant Director, Anti-Human Smuggling Circle", country="PK"),
    Trainee("Ayesha", "Siddiqui", "عائشہ صدیقی", F, "ayesha.siddiqui@fia-pakistan.example", "+92 321 448 9012", "fia", "Deputy Director, Immigration", country="PK"),
    Trainee("Bilal Ahmed", "Chaudhry", "بلال احمد چوہدری", M, "", "+92 333 760 2194", "moi-pk", "Section Officer", country="PK"),
    Trainee("Saima", "Akhtar", "صائمہ اختر", F, "saima.akhtar@fia-pakistan.example", "+92 345 219 6603", "fia", "Inspector, Immigration, Islamabad International Airport", country="PK"),
    Trainee("Naqibullah", "", "نقیب‌الله", M, "", "+93 70 412 3366", "morr", "Director of Planning", country="AF"),
)  # fmt: skip

TRAINEES = {"ERB": ERBIL_TRAINEES, "BGD": BAGHDAD_TRAINEES, "ISB": ISLAMABAD_TRAINEES}

# The two Erbil graduates who run the Baghdad cascade course, by module (None: every session
# without a module, such as the opening and closing).
CASCADE_TRAINERS = {
    "forced-migration": (("Zainab", "Al-Musawi"),),
    "trafficking": (("Zainab", "Al-Musawi"),),
    "international-protection": (("Ali", "Al-Tamimi"),),
    None: (("Zainab", "Al-Musawi"), ("Ali", "Al-Tamimi")),
}


class Expert(NamedTuple):
    title: str
    first_name: str
    last_name: str
    country: str
    organisation: str
    email: str
    languages: list[str]
    modules: tuple[str, ...]
    role: str
    bio: str


EXPERTS = (
    Expert("", "Siobhán", "Gallagher", "IE", "International Centre for Migration Policy Development (ICMPD), Vienna", "siobhan.gallagher@icmpd.example", ["en", "de"], ("teaching-techniques",), "lead", "Capacity-building specialist who has designed Training of Trainers curricula on migration for ministries in the Middle East and Central Asia; lead trainer of the Erbil course."),
    Expert("", "Conor", "Walsh", "IE", "Irish Naturalisation and Immigration Service, Dublin", "conor.walsh@inis.example", ["en"], ("legal-migration",), "speaker", "Policy officer for visas and residence permits; speaks on how immigration systems balance labour-market needs with migrants' rights."),
    Expert("", "Mariana", "Ferreyra", "AR", "Dirección Nacional de Migraciones (National Directorate for Migration), Buenos Aires", "mariana.ferreyra@migraciones.example", ["es", "en"], ("legal-migration", "irregular-migration"), "co_trainer", "Led Argentina's regularisation programmes for migrants from neighbouring countries; trains officials on regular pathways as an answer to irregular migration."),
    Expert("Dr", "Katrin", "Hoffmann", "DE", "Federal Police (Bundespolizei), Potsdam", "katrin.hoffmann@bundespolizei.example", ["de", "en"], ("border-management",), "co_trainer", "Chief police inspector and risk analyst; has trained border guards in integrated border management in the Western Balkans and Iraq."),
    Expert("", "Thomas", "Becker", "DE", "Federal Office for Migration and Refugees (BAMF), Nuremberg", "thomas.becker@bamf.example", ["de", "en"], ("international-protection", "forced-migration"), "co_trainer", "Asylum decision-maker turned trainer; teaches interviewing, country-of-origin information and the Common European Asylum System."),
    Expert("Dr", "Giulia", "Romano", "IT", "Department for Equal Opportunities, Presidency of the Council of Ministers, Rome", "giulia.romano@pariopportunita.example", ["it", "en"], ("trafficking",), "co_trainer", "Coordinates Italy's national referral mechanism for victims of trafficking; author of training material on victim identification."),
    Expert("", "Marco", "Esposito", "IT", "Polizia di Stato, Central Directorate for Immigration and Border Police", "marco.esposito@poliziadistato.example", ["it", "en"], ("smuggling",), "co_trainer", "Senior investigator of smuggling networks in the Mediterranean; specialist in document fraud and joint investigation teams."),
    Expert("", "Martin", "Kováč", "SK", "Bureau of Border and Foreign Police, Presidium of the Police Force, Bratislava", "martin.kovac@minv.example", ["sk", "en", "ru"], ("irregular-migration", "border-management"), "co_trainer", "Head of unit for return and readmission; has worked on EU border assistance missions."),
    Expert("", "Jelena", "Petrović", "RS", "Commissariat for Refugees and Migration of the Republic of Serbia, Belgrade", "jelena.petrovic@kirs.example", ["sr", "en", "ru"], ("forced-migration",), "co_trainer", "Manages durable solutions for refugees and internally displaced persons in Serbia; shares lessons from the region's displacement of the 1990s."),
    Expert("Dr", "Sarah", "Thompson", "GB", "Refugee Studies Centre, University of Oxford", "sarah.thompson@ox.example", ["en", "ar"], ("international-protection",), "co_trainer", "Lecturer in international refugee law; coaches trainees as they build their own module on the national protection framework."),
)  # fmt: skip

# Experts who coach the trainees' own module (teach-back sessions), by family name.
TEACHBACK_COACHES = ("Gallagher", "Thompson")


class Login(NamedTuple):
    username: str
    first_name: str
    last_name: str
    role: str  # a group name, or "superuser"
    expert: str = ""  # family name of the expert this login belongs to


DEMO_PASSWORD = "demo"  # noqa: S105  (demo installations only; the command refuses production)

LOGINS = (
    Login("admin", "Demo", "Administrator", "superuser"),
    Login("coordinator", "Elena", "Varga", "coordinator"),
    Login("team", "Layla", "Karim", "project team"),
    Login("trainer", "Thomas", "Becker", "trainer", expert="Becker"),
    Login("expert", "Siobhán", "Gallagher", "trainer", expert="Gallagher"),
)
