"""Text → comparable words: case, punctuation, contractions, slang and spacing made uniform.

The screen compares words after this, so "I CAN'T go on!!", "i cant go on" and "i cannot go
on" are the same three words to it. Letters repeated for emphasis ("dieee") are squeezed when
words are compared, not here, so that the words stay readable in the screen's output.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})

# Whole words that stand for more than one, with or without their apostrophe.
_EXPAND = {
    "can't": "cannot",
    "cant": "cannot",
    "won't": "will not",
    "wont": "will not",
    "i'm": "i am",
    "im": "i am",
    "i've": "i have",
    "ive": "i have",
    "i'll": "i will",
    "i'd": "i would",
    "he's": "he is",
    "she's": "she is",
    "they're": "they are",
    "theyre": "they are",
    "it's": "it is",
    "its": "it is",
    "that's": "that is",
    "thats": "that is",
    "there's": "there is",
    "what's": "what is",
    "whats": "what is",
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "isnt": "is not",
    "wasnt": "was not",
    "arent": "are not",
    "werent": "were not",
    "havent": "have not",
    "hasnt": "has not",
    "hadnt": "had not",
    "couldnt": "could not",
    "shouldnt": "should not",
    "wouldnt": "would not",
    "wanna": "want to",
    "gonna": "going to",
    "gotta": "got to",
    "kms": "kill myself",
    "kmss": "kill myself",
    "ctb": "commit suicide",
    "unalive": "kill",
    "unalived": "killed",
    "unaliving": "killing",
    "sewerslide": "suicide",
    "suicidal": "suicidal",
    "od": "overdose",
    "oded": "overdosed",
    "od'd": "overdosed",
    "u": "you",
    "ur": "your",
    "r": "are",
    "pls": "please",
    "bf": "boyfriend",
    "gf": "girlfriend",
    "hubby": "husband",
    "kiddos": "kids",
    "n": "and",
    "cuz": "because",
    "coz": "because",
    "bc": "because",
    "rn": "right now",
    "idk": "i do not know",
    "tmrw": "tomorrow",
}
# Pairs of words written apart that mean one ("my self").
_JOIN = {
    ("my", "self"): "myself",
    ("him", "self"): "himself",
    ("her", "self"): "herself",
    ("your", "self"): "yourself",
    ("any", "more"): "anymore",
    ("no", "one"): "noone",
    ("no", "body"): "nobody",
    ("some", "one"): "someone",
    ("every", "one"): "everyone",
}
_NOT = re.compile(r"n't\b")
_SUFFIXES = (("'ll", " will"), ("'re", " are"), ("'ve", " have"), ("'d", " would"))
_WORD = re.compile(r"[a-z0-9']+")


def words(text: str) -> list[str]:
    """The words of `text`, lower-cased, with contractions and common slang spelled out."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    out: list[str] = []
    for raw in _WORD.findall(text):
        word = raw.strip("'")
        if not word:
            continue
        if word in _EXPAND:
            out.extend(_EXPAND[word].split())
            continue
        if word.endswith("n't"):
            stem = _NOT.sub("", word)
            out.extend([{"ca": "can", "wo": "will", "sha": "shall"}.get(stem, stem), "not"])
            continue
        for suffix, full in _SUFFIXES:
            if word.endswith(suffix):
                out.extend([word[: -len(suffix)], full.strip()])
                break
        else:
            out.append(word.removesuffix("'s").replace("'", ""))
    return _joined(out)


def _joined(items: list[str]) -> list[str]:
    out: list[str] = []
    for word in items:
        if out and (out[-1], word) in _JOIN:
            out[-1] = _JOIN[(out[-1], word)]
        else:
            out.append(word)
    return out


def squeeze(word: str) -> str:
    """A word with every run of one letter cut to one letter ("dieee" → "die", "kill" → "kil")."""
    return re.sub(r"(.)\1+", r"\1", word)
