"""The programme, its thematic modules (in English, Russian and Arabic), the demo courses and
their schedules."""

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

PROGRAMME = {
    "name": "Silk Routes Partnership for Migration",
    "acronym": "SRP",
    "donor": "European Union",
    "partner_countries": ["AF", "BD", "IQ", "IR", "PK"],
    "description": (
        "The Silk Routes Partnership for Migration was launched within the Budapest Process, a "
        "consultative forum of more than 50 governments and 10 international organisations "
        "exchanging information and best practices on migration, when the 5th Budapest Process "
        "Ministerial Conference adopted the Istanbul Ministerial Declaration on 19 April 2013.\n\n"
        "Its project, implemented by ICMPD (the International Centre for Migration Policy "
        "Development, which hosts the Budapest Process Secretariat in Vienna), strengthens the "
        "migration management capacities of the Silk Routes countries Afghanistan, Iraq and "
        "Pakistan both at a national and, together with Bangladesh and Iran, at a regional "
        "level. Training of Trainers courses equip government officials to teach migration "
        "topics within their own ministries and departments."
    ),
}


class Module(NamedTuple):
    code: str
    order: int
    hours: Decimal
    title_en: str
    title_ru: str
    title_ar: str
    description_en: str
    description_ru: str
    description_ar: str
    objectives: tuple[str, ...]


MODULES = (
    Module(
        "legal-migration",
        10,
        Decimal(6),
        "Legal migration",
        "Легальная миграция",
        "الهجرة القانونية",
        "Channels for regular entry, stay and work; visa, residence and labour-migration "
        "policies; the rights of migrants and the role of countries of origin in labour "
        "migration.",
        "Каналы законного въезда, пребывания и трудоустройства; визовая политика, вид на "
        "жительство и трудовая миграция; права мигрантов и роль стран происхождения в трудовой "
        "миграции.",
        "قنوات الدخول والإقامة والعمل بصورة نظامية؛ سياسات التأشيرات والإقامة وهجرة العمالة؛ "
        "حقوق المهاجرين ودور بلدان المنشأ في هجرة العمالة.",
        (
            "Explain the main channels of legal migration: work, study and family reunification.",
            "Describe how visa and residence permit systems are organised.",
            "Identify the rights of regular migrants under international law.",
            "Advise prospective migrants on safe and legal routes.",
        ),
    ),
    Module(
        "trafficking",
        20,
        Decimal(6),
        "Trafficking in human beings",
        "Торговля людьми",
        "الاتجار بالبشر",
        "The definition of trafficking under the Palermo Protocol, indicators for identifying "
        "victims, the national referral mechanism and a victim-centred, human-rights-based "
        "approach to investigation and protection.",
        "Определение торговли людьми согласно Палермскому протоколу, признаки для выявления "
        "жертв, национальный механизм перенаправления и подход к расследованию и защите, "
        "ориентированный на жертву и права человека.",
        "تعريف الاتجار بالبشر وفق بروتوكول باليرمو، ومؤشرات تحديد الضحايا، والآلية الوطنية "
        "للإحالة، ونهج قائم على حقوق الإنسان ومتمحور حول الضحية في التحقيق والحماية.",
        (
            "Define trafficking in human beings by its three elements: act, means and purpose.",
            "Recognise the indicators of trafficking at borders and in the community.",
            "Refer presumed victims to protection and assistance services.",
            "Distinguish trafficking in human beings from migrant smuggling.",
        ),
    ),
    Module(
        "irregular-migration",
        30,
        Decimal(6),
        "Irregular migration",
        "Нерегулярная миграция",
        "الهجرة غير النظامية",
        "Causes and routes of irregular migration along the Silk Routes, detection of irregular "
        "stay, alternatives to detention, and voluntary and forced return and readmission in "
        "line with human rights.",
        "Причины и маршруты нерегулярной миграции вдоль Шёлкового пути, выявление незаконного "
        "пребывания, альтернативы задержанию, добровольное и принудительное возвращение и "
        "реадмиссия с соблюдением прав человека.",
        "أسباب الهجرة غير النظامية ومساراتها على طول طرق الحرير، وكشف الإقامة غير النظامية، "
        "وبدائل الاحتجاز، والعودة الطوعية والقسرية وإعادة القبول بما يتوافق مع حقوق الإنسان.",
        (
            "Describe the main drivers and routes of irregular migration in the region.",
            "Explain the procedures for detecting and handling irregular stay.",
            "Compare voluntary return, forced return and readmission.",
            "Apply human-rights safeguards, including alternatives to detention.",
        ),
    ),
    Module(
        "smuggling",
        40,
        Decimal(6),
        "Migrant smuggling",
        "Незаконный ввоз мигрантов",
        "تهريب المهاجرين",
        "The UN Smuggling Protocol, the modus operandi of smuggling networks, document fraud, "
        "investigation and international police cooperation, and the protection of smuggled "
        "migrants.",
        "Протокол ООН против незаконного ввоза мигрантов, методы действий преступных сетей, "
        "подделка документов, расследование и международное полицейское сотрудничество, защита "
        "незаконно ввезённых мигрантов.",
        "بروتوكول الأمم المتحدة لمكافحة تهريب المهاجرين، وأساليب عمل شبكات التهريب، وتزوير "
        "الوثائق، والتحقيق والتعاون الشرطي الدولي، وحماية المهاجرين المهرَّبين.",
        (
            "Define migrant smuggling under the UN Smuggling Protocol.",
            "Describe how smuggling networks recruit, transport and finance their operations.",
            "Recognise forged and falsified travel documents.",
            "Outline the steps of a cross-border investigation.",
        ),
    ),
    Module(
        "border-management",
        50,
        Decimal(6),
        "Border management",
        "Управление границами",
        "إدارة الحدود",
        "Integrated border management: border checks and surveillance, risk analysis, "
        "inter-agency and international cooperation, and the protection-sensitive handling of "
        "people at the border.",
        "Комплексное управление границами: пограничный контроль и наблюдение, анализ рисков, "
        "межведомственное и международное сотрудничество, обращение с людьми на границе с учётом "
        "потребностей в защите.",
        "الإدارة المتكاملة للحدود: التدقيق والمراقبة على الحدود، وتحليل المخاطر، والتعاون بين "
        "الأجهزة والتعاون الدولي، والتعامل مع الأشخاص على الحدود بما يراعي احتياجات الحماية.",
        (
            "Explain the pillars of integrated border management.",
            "Carry out a basic risk analysis for a border crossing point.",
            "Identify people in need of protection among arrivals at the border.",
            "Describe forms of cooperation with neighbouring countries' border services.",
        ),
    ),
    Module(
        "forced-migration",
        60,
        Decimal(6),
        "Forced migration",
        "Вынужденная миграция",
        "الهجرة القسرية",
        "Refugees, internally displaced persons and stateless persons; the Guiding Principles "
        "on Internal Displacement; durable solutions: voluntary return, local integration and "
        "resettlement.",
        "Беженцы, внутренне перемещённые лица и лица без гражданства; Руководящие принципы по "
        "вопросу о перемещении лиц внутри страны; долгосрочные решения: добровольное "
        "возвращение, местная интеграция и переселение.",
        "اللاجئون والنازحون داخلياً وعديمو الجنسية؛ المبادئ التوجيهية بشأن التشريد الداخلي؛ "
        "الحلول الدائمة: العودة الطوعية والاندماج المحلي وإعادة التوطين.",
        (
            "Distinguish refugees, internally displaced persons and stateless persons.",
            "Apply the Guiding Principles on Internal Displacement to national practice.",
            "Compare the three durable solutions and the conditions for each.",
        ),
    ),
    Module(
        "international-protection",
        70,
        Decimal(6),
        "The international and European framework on international protection",
        "Международная и европейская система международной защиты",
        "الإطار الدولي والأوروبي للحماية الدولية",
        "The 1951 Refugee Convention and its 1967 Protocol, the principle of non-refoulement, "
        "the Common European Asylum System and subsidiary protection, and fair and efficient "
        "asylum procedures.",
        "Конвенция о статусе беженцев 1951 года и Протокол 1967 года, принцип невыдворения, "
        "Общая европейская система убежища и дополнительная защита, справедливые и эффективные "
        "процедуры предоставления убежища.",
        "اتفاقية عام 1951 الخاصة بوضع اللاجئين وبروتوكولها لعام 1967، ومبدأ عدم الإعادة "
        "القسرية، والنظام الأوروبي المشترك للجوء والحماية الفرعية، وإجراءات اللجوء العادلة "
        "والفعّالة.",
        (
            "Explain the refugee definition and the principle of non-refoulement.",
            "Describe the instruments of the Common European Asylum System.",
            "Distinguish refugee status from subsidiary protection.",
            "Outline the steps of a fair and efficient asylum procedure.",
        ),
    ),
    Module(
        "teaching-techniques",
        80,
        Decimal(6),
        "Teaching and communication techniques",
        "Методы обучения и коммуникации",
        "تقنيات التدريس والتواصل",
        "Principles of adult learning, planning a session, interactive methods (case studies, "
        "role plays, group work), presentation and facilitation skills, giving feedback and "
        "evaluating a training.",
        "Принципы обучения взрослых, планирование занятия, интерактивные методы (разбор "
        "ситуаций, ролевые игры, групповая работа), навыки презентации и фасилитации, обратная "
        "связь и оценка обучения.",
        "مبادئ تعليم الكبار، وتخطيط الجلسة التدريبية، والأساليب التفاعلية (دراسات الحالة ولعب "
        "الأدوار والعمل الجماعي)، ومهارات العرض والتيسير، وتقديم التغذية الراجعة وتقييم التدريب.",
        (
            "Plan a training session with clear learning objectives.",
            "Use at least three interactive methods suited to adult learners.",
            "Present and facilitate confidently in front of a group.",
            "Evaluate a training with pre- and post-tests and feedback forms.",
        ),
    ),
    Module(
        "national-framework",
        90,
        Decimal(10),
        "National legal and institutional framework on international protection (trainees' module)",
        "Национальная правовая и институциональная база в области международной защиты "
        "(модуль слушателей)",
        "الإطار القانوني والمؤسسي الوطني للحماية الدولية (وحدة المتدربين)",
        "Prepared and taught by the trainees themselves: the national laws, institutions and "
        "procedures related to international protection, presented as a module for their own "
        "ministries' courses.",
        "Готовится и проводится самими слушателями: национальные законы, учреждения и "
        "процедуры, связанные с международной защитой, в виде модуля для курсов в их "
        "министерствах.",
        "يُعِدّها المتدربون ويقدّمونها بأنفسهم: القوانين والمؤسسات والإجراءات الوطنية المتعلقة "
        "بالحماية الدولية، في صورة وحدة تدريبية لدورات وزاراتهم.",
        (
            "Map the national laws and institutions relevant to international protection.",
            "Design a training module of their own with objectives, methods and materials.",
            "Deliver the module to peers and take their feedback on board.",
        ),
    ),
)

TEACHBACK_MODULE = "national-framework"
CORE_MODULES = tuple(module.code for module in MODULES if module.code != TEACHBACK_MODULE)

# Manual versions to seed per module (English only): legal migration was revised after Erbil,
# so its first edition stays downloadable as an older version.
MANUAL_VERSIONS = {code: 1 for code in CORE_MODULES} | {"legal-migration": 2}

# --- Courses ------------------------------------------------------------------------------

MORNING = (dt.time(9, 0), dt.time(12, 30))
AFTERNOON = (dt.time(13, 30), dt.time(16, 0))


class Course(NamedTuple):
    code: str
    title: str
    kind: str
    status: str
    venue: str
    city: str
    country: str
    start_date: dt.date
    end_date: dt.date
    languages: list[str]
    capacity: int
    hours: Decimal
    modules: tuple[str, ...]
    description: str
    parent: str = ""
    title_ru: str = ""
    title_ar: str = ""
    requires_teachback: bool = False
    min_attendance_share: Decimal = Decimal("0.80")
    min_post_test_score: Decimal = Decimal(60)


ERBIL = Course(
    code="ERB",
    title="Training of Trainers on Migration Management — Erbil",
    title_ru="Курс подготовки тренеров по управлению миграцией — Эрбиль",
    title_ar="دورة تدريب المدربين في إدارة الهجرة — أربيل",
    kind="tot",
    status="completed",
    venue="Divan Erbil Hotel, conference hall",
    city="Erbil",
    country="IQ",
    start_date=dt.date(2016, 5, 15),
    end_date=dt.date(2016, 5, 24),
    languages=["en", "ar"],
    capacity=24,
    hours=Decimal(60),
    modules=(*CORE_MODULES, TEACHBACK_MODULE),
    description=(
        "A ten-day Training of Trainers course for officials of the Ministry of Migration and "
        "Displacement and the Ministry of Interior of the Federal Government of Iraq and of the "
        "Kurdistan Regional Government. Experts from Argentina, Germany, Italy, Ireland, "
        "Slovakia, Serbia and the United Kingdom taught the eight thematic modules; every "
        "trainee received a training manual per module with facilitation material and "
        "exercises. In conclusion the new trainers prepared their own module on the Iraqi legal "
        "and institutional framework related to international protection. Certificates were "
        "handed over on 24 May 2016."
    ),
)

BAGHDAD = Course(
    code="BGD",
    title="Cascade course on forced migration, protection and trafficking — Baghdad",
    title_ru="Каскадный курс по вынужденной миграции, защите и торговле людьми — Багдад",
    title_ar="دورة تعاقبية حول الهجرة القسرية والحماية والاتجار بالبشر — بغداد",
    kind="cascade",
    status="completed",
    venue="Ministry of Migration and Displacement, training hall",
    city="Baghdad",
    country="IQ",
    start_date=dt.date(2016, 10, 9),
    end_date=dt.date(2016, 10, 13),
    languages=["ar"],
    capacity=15,
    hours=Decimal(30),
    modules=("forced-migration", "international-protection", "trafficking"),
    parent="ERB",
    description=(
        "The first cascade course of the Erbil trainers: two certified trainers of the Ministry "
        "of Migration and Displacement teach three modules to colleagues from the ministry's "
        "Baghdad offices, in Arabic, using the Silk Routes Partnership manuals."
    ),
)

ISLAMABAD = Course(
    code="ISB",
    title="Training of Trainers on Migration Management — Islamabad",
    title_ru="Курс подготовки тренеров по управлению миграцией — Исламабад",
    title_ar="دورة تدريب المدربين في إدارة الهجرة — إسلام آباد",
    kind="tot",
    status="open",
    venue="Islamabad Serena Hotel",
    city="Islamabad",
    country="PK",
    # Fixed dates ahead of the demo's today, so the course "open for nominations" takes them
    # (and `seed_demo` stays idempotent: dates that moved with the clock would change each day).
    start_date=dt.date(2027, 3, 7),
    end_date=dt.date(2027, 3, 16),
    languages=["en"],
    capacity=24,
    hours=Decimal(60),
    modules=(*CORE_MODULES, TEACHBACK_MODULE),
    requires_teachback=True,
    description=(
        "A ten-day Training of Trainers course for officials of Pakistan's Ministry of Interior "
        "and Federal Investigation Agency, with observers from Afghanistan. Nominations open."
    ),
)

COURSES = (ERBIL, BAGHDAD, ISLAMABAD)

# --- Schedules: (day of the course, slot, module code or None, title) ----------------------

ERBIL_SCHEDULE = (
    (1, MORNING, "teaching-techniques", "Opening, pre-test and principles of adult learning"),
    (1, AFTERNOON, "legal-migration", ""),
    (2, MORNING, "legal-migration", "Labour migration and the role of countries of origin"),
    (2, AFTERNOON, "irregular-migration", ""),
    (3, MORNING, "irregular-migration", "Return and readmission"),
    (3, AFTERNOON, "trafficking", ""),
    (4, MORNING, "trafficking", "Identifying and referring victims: case studies"),
    (4, AFTERNOON, "smuggling", ""),
    (5, MORNING, "smuggling", "Document fraud and cross-border investigation"),
    (5, AFTERNOON, "border-management", ""),
    (6, MORNING, "border-management", "Risk analysis exercise at a border crossing point"),
    (6, AFTERNOON, "forced-migration", ""),
    (7, MORNING, "forced-migration", "Internal displacement and durable solutions"),
    (7, AFTERNOON, "international-protection", ""),
    (8, MORNING, "international-protection", "The Common European Asylum System"),
    (8, AFTERNOON, "teaching-techniques", "Communication and facilitation skills"),
    (
        9,
        MORNING,
        TEACHBACK_MODULE,
        "Preparing the trainees' module on the Iraqi legal and institutional framework",
    ),
    (9, AFTERNOON, TEACHBACK_MODULE, "Teach-back presentations, group 1"),
    (10, MORNING, TEACHBACK_MODULE, "Teach-back presentations, group 2, and post-test"),
    (10, AFTERNOON, None, "Course evaluation and handing over of certificates"),
)

BAGHDAD_SCHEDULE = (
    (1, MORNING, "forced-migration", "Opening, pre-test and introduction to forced migration"),
    (1, AFTERNOON, "forced-migration", ""),
    (2, MORNING, "forced-migration", "Internal displacement in Iraq and durable solutions"),
    (2, AFTERNOON, "international-protection", ""),
    (3, MORNING, "international-protection", "Refugee status and non-refoulement"),
    (
        3,
        AFTERNOON,
        "international-protection",
        "The Iraqi legal and institutional framework on international protection",
    ),
    (4, MORNING, "trafficking", ""),
    (4, AFTERNOON, "trafficking", "Identifying and referring victims: case studies"),
    (5, MORNING, "trafficking", "Review and post-test"),
    (5, AFTERNOON, None, "Evaluation and closing"),
)

SCHEDULES = {"ERB": ERBIL_SCHEDULE, "BGD": BAGHDAD_SCHEDULE}
