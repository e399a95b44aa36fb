"""Question or comment: question marks of every script, interrogative forms, requests.

Rules, not a model: they are fast, explainable to a moderator, and measured in
`bench/triage.py` on the evaluation set. A message is a question when it carries a
question mark (?, ¿, Arabic ؟, full-width ？), starts (after a greeting or an @mention)
with an interrogative form of its language, or contains a request such as
"please explain" / "pourriez-vous" / "请问". An exclamation ("What a great panel!")
stays a comment unless it also makes a request.
"""

from __future__ import annotations

import re
from typing import Literal

Kind = Literal["question", "comment"]

#: Question marks of every script the session expects (not the Greek `;`: prose uses it).
QUESTION_MARKS = "?¿؟？⸮"

#: Words that open a question, per language (lower-cased, first word after any greeting).
_OPENERS: dict[str, tuple[str, ...]] = {
    "en": ("how", "what", "why", "when", "where", "who", "whom", "whose", "which",
           "is", "are", "was", "were", "do", "does", "did", "can", "could", "would",
           "will", "should", "shall", "has", "have", "isn't",
           "aren't", "doesn't", "don't", "didn't", "won't", "wouldn't", "shouldn't"),
    "fr": ("comment", "pourquoi", "quand", "où", "qui", "quel", "quelle", "quels",
           "quelles", "que", "qu'est-ce", "quoi", "combien", "lequel", "laquelle",
           "lesquels", "est-ce", "peut-on", "faut-il", "doit-on", "y a-t-il", "existe-t-il"),
    "es": ("cómo", "qué", "por qué", "cuándo", "dónde", "quién", "quiénes", "cuál",
           "cuáles", "cuánto", "cuánta", "cuántos", "cuántas", "hay algún", "hay alguna",
           "es posible", "se puede", "podría", "podrían"),
    "pt": ("como", "o que", "por que", "quando", "onde", "quem", "qual", "quais",
           "quanto", "quanta", "quantos", "quantas", "há algum", "há alguma", "é possível",
           "poderia", "poderiam"),
    "ru": ("как", "какой", "какая", "какое", "какие", "каким", "какую", "каких", "почему",
           "зачем", "что", "чем", "когда", "где", "куда", "откуда", "кто", "кому", "кого",
           "сколько", "можно", "есть ли", "будет ли", "нужно ли", "могут ли", "может ли",
           "существует ли", "насколько", "чей", "чья", "чьи", "ли"),
    "ar": ("كيف", "ما", "ماذا", "لماذا", "لما", "متى", "أين", "اين", "هل", "أي",
           "اي", "كم", "أليس", "ألا", "بماذا", "لمن", "وكيف", "وما", "وهل", "ولماذا", "فهل",
           "ماهي", "ماهو", "هلا"),
}

#: Requests or interrogative particles that make a question wherever they stand.
_ANYWHERE: dict[str, tuple[str, ...]] = {
    "en": ("please explain", "please tell", "please clarify", "please elaborate",
           "please share", "please comment on", "can you", "could you", "would you",
           "i'd like to know", "i would like to know", "i would like to ask", "i wonder",
           "i'm wondering", "i am wondering", "tell us", "explain how", "explain why",
           "any thoughts on", "curious to hear", "curious to know", "elaborate on",
           "question for", "my question", "i'd love to hear", "wondering if",
           "wondering whether", "wondering how"),
    "fr": ("pourriez-vous", "pouvez-vous", "pourrais-tu", "peux-tu", "expliquez",
           "expliquer comment", "j'aimerais savoir", "je voudrais savoir", "je me demande",
           "merci d'expliquer", "merci de préciser", "précisez", "est-ce que",
           "ma question", "question pour", "dites-nous", "pourriez vous", "pouvez vous",
           "j'aimerais entendre", "qu'en pensez-vous"),
    "es": ("podría explicar", "podrían explicar", "puede explicar", "pueden explicar",
           "explique", "expliquen", "me gustaría saber", "quisiera saber", "quisiera preguntar",
           "me pregunto", "por favor expliquen", "por favor explique", "mi pregunta",
           "pregunta para", "nos podrían", "nos puede", "díganos", "cuéntenos",
           "podrían aclarar", "podría aclarar", "qué opinan"),
    "pt": ("poderia explicar", "poderiam explicar", "pode explicar", "podem explicar",
           "explique", "expliquem", "gostaria de saber", "queria saber", "me pergunto",
           "pergunto-me", "minha pergunta", "pergunta para", "por favor expliquem",
           "nos digam", "poderiam esclarecer", "poderia esclarecer", "o que acham"),
    "ru": ("объясните", "расскажите", "поясните", "уточните", "хотелось бы узнать",
           "хочу спросить", "хотел бы узнать", "хотела бы узнать", "мой вопрос",
           "вопрос к", "вопрос для", "интересно узнать", "подскажите", "не могли бы", " ли "),
    "ar": ("أرجو توضيح", "يرجى توضيح", "يرجى شرح", "أرجو شرح", "اشرحوا", "اشرح",
           "وضحوا", "أود أن أعرف", "أود معرفة", "أريد أن أعرف", "سؤالي", "سؤال إلى",
           "سؤال للمتحدث", "سؤال لل", "هل يمكن", "هل يمكنكم", "نرجو توضيح", "أتساءل"),
    "zh": ("怎么", "怎样", "如何", "什么", "为什么", "为何", "哪些", "哪个", "哪里", "哪儿",
           "谁", "是否", "能否", "可否", "有没有", "是不是", "会不会", "能不能", "请问",
           "请解释", "请说明", "请介绍", "请谈谈", "请讲", "多少", "几个", "我想知道",
           "我想问", "想请教", "请教"),
}

#: Sentence-final particles.
_FINAL = {"zh": ("吗", "呢")}

_GREETING = re.compile(
    r"^\s*(?:@\S+\s*|(?:hi|hello|hey|dear|bonjour|salut|hola|olá|ola|oi|buenos días|"
    r"bom dia|boa tarde|привет|здравствуйте|добрый день|مرحبا|السلام عليكم|أهلا|"
    r"你好|大家好|您好)\b[^,.:;!?\n]{0,40}[,.:;!]\s*)+",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w'’-]+", re.UNICODE)


def _opens_with(text: str, openers: tuple[str, ...]) -> bool:
    lowered = text.lower().replace("’", "'")
    words = _WORD.findall(lowered)
    if not words:
        return False
    head = " ".join(words[:4])
    for opener in openers:
        if " " in opener or "-" in opener:
            if head.startswith(opener):
                return True
        elif words[0] == opener:
            return True
    return False


def _contains(text: str, phrases: tuple[str, ...]) -> bool:
    lowered = text.lower().replace("’", "'")
    return any(p in lowered for p in phrases)


def classify_kind(text: str, lang: str) -> Kind:
    """`question` or `comment` for one message in language `lang` (`und` tries them all)."""
    stripped = text.strip()
    if not stripped:
        return "comment"
    if any(mark in stripped for mark in QUESTION_MARKS):
        return "question"
    langs = tuple(_ANYWHERE) if lang not in _ANYWHERE else (lang,)
    if any(_contains(stripped, _ANYWHERE[code]) for code in langs):
        return "question"
    body = _GREETING.sub("", stripped)
    if body.rstrip().endswith("!"):
        return "comment"  # "What a great panel!", "Как интересно!"
    if any(body.rstrip(" .…").endswith(p) for code in langs for p in _FINAL.get(code, ())):
        return "question"
    if any(_opens_with(body, _OPENERS[code]) for code in langs if code in _OPENERS):
        return "question"
    return "comment"
