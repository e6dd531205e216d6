"""Generated customers: realistic names from many places (plenty of them not ASCII), and an email
derived from the name, the seed and the customer's position, hence unique and reproducible.

Emails are on the reserved `example.*` domains (RFC 2606), so nothing generated can ever reach a
real mailbox. A name written in a non-Latin script carries its romanisation after a `|`, which is
what the email uses.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

DOMAINS = (("example.com", 5), ("example.org", 3), ("example.net", 2))
_SLUG_PART = 20  # keeps every local part well under the 64 characters an address allows
# Letters that NFKD does not take apart into a base letter and a mark.
_LATIN = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i"}
)


@dataclass(frozen=True, slots=True)
class Person:
    first_name: str
    last_name: str
    email: str

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True, slots=True)
class Culture:
    """Where a name comes from: given names and family names that go together, and how often
    the park's visitors carry them."""

    key: str
    weight: int
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


def _culture(key: str, weight: int, first_names: str, last_names: str) -> Culture:
    return Culture(key, weight, tuple(first_names.split(", ")), tuple(last_names.split(", ")))


CULTURES = (
    _culture(
        "en",
        30,
        "James, Olivia, Liam, Emma, Noah, Ava, Ethan, Harper, Mary-Kate, Wyatt, "
        "Aaliyah, Jayden, Chloe, Logan, Grace, DeShawn",
        "Smith, Johnson, Williams, Brown, Miller, Davis, Wilson, Anderson, Taylor, "
        "Thompson, Harris, O'Brien, McAllister, Washington, Lee",
    ),
    _culture(
        "es",
        20,
        "José, María, Sofía, Mateo, Valentina, Santiago, Lucía, Joaquín, Ximena, "
        "Íñigo, Camila, Ángel",
        "García, Rodríguez, Martínez, Hernández, López, González, Pérez, Sánchez, "
        "Núñez, Peña, Ibáñez, de la Cruz, García Márquez",
    ),
    _culture(
        "hi",
        5,
        "Priya, Arjun, Ananya, Rohan, Aditi, Vikram, Lakshmi",
        "Sharma, Patel, Iyer, Reddy, Nair, Venkataraghavan",
    ),
    _culture(
        "vi",
        4,
        "Thảo, Minh, Phương, Quốc, Ngọc, Huy",
        "Nguyễn, Trần, Lê, Phạm, Đặng, Võ",
    ),
    _culture(
        "zh",
        4,
        "伟|wei, 芳|fang, 秀英|xiuying, 子涵|zihan, 浩然|haoran",
        "王|wang, 李|li, 张|zhang, 刘|liu, 陈|chen",
    ),
    _culture(
        "ja",
        3,
        "太郎|taro, 花子|hanako, 結衣|yui, 陽翔|haruto, さくら|sakura",
        "佐藤|sato, 鈴木|suzuki, 高橋|takahashi, 田中|tanaka, 渡辺|watanabe",
    ),
    _culture(
        "ko",
        3,
        "민준|minjun, 서연|seoyeon, 지우|jiwoo, 하은|haeun",
        "김|kim, 이|lee, 박|park, 최|choi",
    ),
    _culture(
        "fr",
        4,
        "Zoé, Hélène, François, Amélie, Gaël, Anaïs, Jean-Luc, Cécile",
        "Lefèvre, Dubois, Moreau, Bélanger, Côté, Gagnon, Saint-Exupéry",
    ),
    _culture(
        "de",
        4,
        "Jürgen, Lena, Jörg, Anneliese, Björn, Käthe, Maximilian",
        "Müller, Schröder, Groß, Weiß, Köhler, Schäfer, Wolfeschlegelsteinhausenbergerdorff",
    ),
    _culture(
        "pl",
        2,
        "Łukasz, Zofia, Małgorzata, Wojciech, Agnieszka, Paweł",
        "Wójcik, Kowalczyk, Woźniak, Łuczak, Szczęsny, Brzęczyszczykiewicz",
    ),
    _culture(
        "nordic",
        2,
        "Søren, Åsa, Bjørn, Ingrid, Sigrún, Þórunn",
        "Jørgensen, Ødegaard, Ångström, Lindqvist, Sigurðardóttir",
    ),
    _culture(
        "tr",
        2,
        "Çağla, İlker, Şükrü, Gülşen, Öykü",
        "Öztürk, Yılmaz, Şahin, Çelik, Doğan",
    ),
    _culture(
        "ga",
        2,
        "Seán, Siobhán, Aoife, Niamh, Oisín",
        "Ó Súilleabháin, O'Connor, Mac Giolla Phádraig, Murphy, Ní Bhriain",
    ),
    _culture(
        "el",
        2,
        "Νίκος|nikos, Ελένη|eleni, Γιώργος|giorgos, Δήμητρα|dimitra",
        "Παπαδόπουλος|papadopoulos, Οικονόμου|oikonomou, Γεωργίου|georgiou",
    ),
    _culture(
        "uk",
        2,
        "Олена|olena, Андрій|andriy, Тарас|taras, Ірина|iryna",
        "Шевченко|shevchenko, Бондаренко|bondarenko, Коваленко|kovalenko",
    ),
    _culture(
        "ar",
        3,
        "محمد|mohammed, فاطمة|fatima, يوسف|youssef, ليلى|layla, عمر|omar",
        "الحسن|alhassan, حداد|haddad, منصور|mansour, خوري|khoury",
    ),
    _culture(
        "fa",
        1,
        # U+200C (zero-width non-joiner) is part of how these are spelled: the domain keeps it.
        "مهر\u200cنوش|mehrnoush, آرش|arash, شیرین|shirin",
        "رضایی|rezaei, احمدی|ahmadi, محمدی\u200cنژاد|mohammadinejad",
    ),
)


def name_of(entry: str) -> str:
    """The name as written (an entry is `name` or `name|romanisation`)."""
    return entry.partition("|")[0]


def slug_of(entry: str) -> str:
    """The ASCII letters an email makes of a name: its romanisation, or its letters without
    accents ("Łuczak" → "luczak", "O'Brien" → "obrien")."""
    written, _, romanised = entry.partition("|")
    letters = unicodedata.normalize("NFKD", (romanised or written).lower().translate(_LATIN))
    return "".join(char for char in letters if char.isascii() and char.isalnum())[:_SLUG_PART]


def person(rng: random.Random, seed: int, index: int) -> Person:
    """The `index`-th customer of `seed`, drawn from `rng`."""
    culture = rng.choices(CULTURES, weights=[c.weight for c in CULTURES])[0]
    first, last = rng.choice(culture.first_names), rng.choice(culture.last_names)
    domain = rng.choices([d for d, _ in DOMAINS], weights=[w for _, w in DOMAINS])[0]
    # The seed and the position end the local part, dot-separated after letters only: two
    # customers never share an email, within a seed or across seeds.
    email = f"{slug_of(first)}.{slug_of(last)}.{seed}.{index}@{domain}"
    return Person(name_of(first), name_of(last), email)
