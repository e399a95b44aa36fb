"""A varied, endless stream of simulated remote messages for the demo, built from parts.

Why not a list on a loop: within minutes the inbox became a wall of repeats, which is not
what a moderator faces. A real remote audience greets, comments, goes off topic, reports
bad audio, and asks the same thing twice on two channels (reworded, or in another
language). The parts live in remote-messages.yaml, in six UN languages; a seed makes the
stream reproducible (tests count what it produces).
"""

from __future__ import annotations

import random
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

#: Channels and how often each speaks up (a deck of these is dealt in a shuffled order, so
#: every channel shows up within the first dozen messages).
CHANNEL_DECK = {"zoom_chat": 4, "zoom_qa": 2, "mastodon": 2, "bluesky": 2, "youtube": 2, "x": 1}
SOCIAL = ("mastodon", "bluesky", "youtube", "x")
HASHTAG = "#DataForGood"
_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class SimMessage:
    channel: str
    name: str
    text: str
    lang: str
    #: question, comment, greeting, offtopic, tech, echo (a near-duplicate of an earlier
    #: question by someone else), crosspost (the same person on a second social channel).
    kind: str
    #: Questions about the same thing share a theme (an echo has its original's).
    theme: str | None = None


@cache
def content() -> dict[str, Any]:
    path = Path(__file__).with_name("remote-messages.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def remote_stream(seed: int | None = None) -> Iterator[SimMessage]:
    """Messages forever; the same seed gives the same stream."""
    return _Stream(random.Random(seed)).run()


@dataclass(frozen=True)
class _Person:
    name: str
    lang: str


class _Stream:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.parts = content()
        self.langs = list(self.parts["languages"])
        self.lang_weights = list(self.parts["languages"].values())
        self.people: dict[str, list[_Person]] = {c: [] for c in CHANNEL_DECK}
        self.recent: deque[SimMessage] = deque(maxlen=30)  # what echoes may repeat
        self.seen: set[str] = set()
        self.deck: list[str] = []

    def run(self) -> Iterator[SimMessage]:
        n = 0
        while True:
            channel = self._deal()
            for _ in range(6):  # a text seen before gets another draw (greetings and the like)
                msg = self._one(channel, n)
                if msg.text not in self.seen:
                    break
            self.seen.add(msg.text)
            if msg.kind in ("question", "echo", "crosspost"):
                self.recent.append(msg)
            n += 1
            yield msg

    # -- choices ---------------------------------------------------------------------------

    def _deal(self) -> str:
        if not self.deck:
            self.deck = [c for c, k in CHANNEL_DECK.items() for _ in range(k)]
            self.rng.shuffle(self.deck)
        return self.deck.pop()

    def _kind(self, channel: str, n: int) -> str:
        if channel == "zoom_qa":  # the Q&A box holds questions
            weights = {"question": 82, "echo": 12, "comment": 6}
        else:
            weights = {
                "question": 44,
                "echo": 9,
                "comment": 18,
                "greeting": 16 if n < 40 else 4,  # people say hello as they join
                "offtopic": 6,
            }
            if channel in ("zoom_chat", "youtube"):
                weights["tech"] = 6  # where the stream's sound is
            if channel in SOCIAL:
                weights["crosspost"] = 5
        kinds = list(weights)
        return self.rng.choices(kinds, [weights[k] for k in kinds])[0]

    def _person(self, channel: str, lang: str | None = None, regular: bool = True) -> _Person:
        """Someone who spoke on this channel before (a third of the time), or a newcomer."""
        regulars = [p for p in self.people[channel] if lang in (None, p.lang)]
        if regular and regulars and self.rng.random() < 0.35:
            return self.rng.choice(regulars)
        lang = lang or self.rng.choices(self.langs, self.lang_weights)[0]
        names = self.parts[lang]["names"]
        first, last = self.rng.choice(names["first"]), self.rng.choice(names["last"])
        name = f"{last}{first}" if names.get("order") == "last-first" else f"{first} {last}"
        person = _Person(name, lang)
        self.people[channel].append(person)
        return person

    # -- messages --------------------------------------------------------------------------

    def _one(self, channel: str, n: int) -> SimMessage:
        kind = self._kind(channel, n)
        if kind == "echo" and (msg := self._echo(channel)):
            return msg
        if kind == "crosspost" and (msg := self._crosspost(channel)):
            return msg
        if kind in ("echo", "crosspost"):
            kind = "question"
        person = self._person(channel, regular=kind != "greeting")  # hello once, on joining
        lang = person.lang
        theme = None
        if kind == "question":
            if self.rng.random() < 0.5:
                theme = self.rng.choice(sorted(self.parts["themes"]))
                core = self.rng.choice(self.parts["themes"][theme][lang])
            else:
                core = self._fill(self.rng.choice(self.parts[lang]["question"]), lang)
            text = self._dress(core, lang)
        else:
            text = self._fill(self.rng.choice(self.parts[lang][kind]), lang)
        return SimMessage(channel, person.name, self._tag(channel, text), lang, kind, theme)

    def _echo(self, channel: str) -> SimMessage | None:
        """An earlier themed question asked again by someone else, on another channel."""
        earlier = [m for m in self.recent if m.theme and m.channel != channel]
        if not earlier:
            return None
        original = self.rng.choice(earlier[-12:])
        person = self._person(channel)
        phrasings = self.parts["themes"][original.theme]
        options = [p for p in phrasings[person.lang] if p not in original.text]
        if not options:  # same language, one phrasing: ask it in another language
            lang = self.rng.choice([k for k in phrasings if k != original.lang])
            person = self._person(channel, lang)
            options = phrasings[lang]
        text = self._dress(self.rng.choice(options), person.lang)
        return SimMessage(
            channel, person.name, self._tag(channel, text), person.lang, "echo", original.theme
        )

    def _crosspost(self, channel: str) -> SimMessage | None:
        """The same person posting the same words on a second social network."""
        earlier = [
            m for m in self.recent if m.channel in SOCIAL and m.channel != channel
            and m.kind != "crosspost"
        ]
        if not earlier:
            return None
        original = self.rng.choice(earlier[-8:])
        base = original.text.replace(HASHTAG, "").strip()
        text = self._tag(channel, base, extra=" #IGF2023")
        self.people[channel].append(_Person(original.name, original.lang))
        return SimMessage(
            channel, original.name, text, original.lang, "crosspost", original.theme
        )

    def _dress(self, core: str, lang: str) -> str:
        """A question as people type it: sometimes a greeting before, a thank-you after."""
        parts = self.parts[lang]
        opener = self._fill(self.rng.choice(parts["opener"]), lang)
        closer = self._fill(self.rng.choice(parts["closer"]), lang)
        joint = "" if lang == "zh" else " "
        return joint.join(p for p in (opener, core, closer) if p)

    def _tag(self, channel: str, text: str, extra: str = "") -> str:
        """Hashtag timelines only show posts with the tag (X's fake adds its own)."""
        if channel in ("mastodon", "bluesky") and HASHTAG not in text:
            return f"{text} {HASHTAG}{extra}"
        return text

    def _fill(self, template: str, lang: str) -> str:
        slots = self.parts[lang].get("slots", {})
        return _SLOT.sub(lambda m: self.rng.choice(slots[m.group(1)]), template)
