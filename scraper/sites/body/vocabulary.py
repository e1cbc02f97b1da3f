"""The words and tag tables by which generic main-text detection tells article text from
page furniture, kept apart from the algorithms that read them (as trafilatura keeps its
XPath expressions and word lists): teaching the extractor a new template's class names,
or a new language's chrome lines, touches only this module.

Three vocabularies: the class/id/itemprop words that mark an element as boilerplate or as
the article (read through ``hints``); the tag tables of removal and scoring; and the
phrases of whole paragraphs that are template chrome in any article (read by
``chrome_lines``).
"""

from __future__ import annotations

import re

from scraper.sites.html import SKIP_TAGS

# --------------------------------------------------------------------------- markup hints
# Words of class, id and itemprop values, read through ``hints``.

# A word starts after a separator, not after a digit either: page builders number their
# boxes with hex ("elementor-element-5f18ad9"), and "ad" in a hash is no advert.  A live
# ticker's "live-match-comment" is the reporter's commentary, not readers' comments.
NEGATIVE_HINT = re.compile(
    r"(?<![a-z0-9])(?:(?<!live[-_])(?<!match[-_])comment|"
    r"share|sharing|social|related|newsletter|subscri|cookie|consent|gdpr|"
    r"promo|advert|sponsor|banner|sidebar|side-bar|byline|author|caption|credit|breadcrumb|"
    r"tags?(?![a-z])|taglist|widget|popup|modal|outbrain|taboola|recommend|read-?more|"
    r"more-?stories|most-?read|popular|trending|footer|masthead|menu|navbar|nav(?![a-z])|"
    r"toolbar|signup|disclaimer|copyright|skip|teaser|rating|ads?(?![a-z])|dfp|"
    r"print|follow|donate|playlist|gallery-?nav|pagination|pager|jump|tooltip|"
    r"prev(?:ious)?(?![a-z])|next(?![a-z])|reading-?time|read-?time|paywall(?![a-z])|"
    r"cta(?![a-z])|rail(?![a-z])|fact-?box|info-?box|poll|survey|quiz|meta(?![a-z])|"
    r"references(?![a-z])|bibliography)",
    re.I,
)
POSITIVE_HINT = re.compile(
    r"(?<![a-z])(?:article|body|content|entry|main|post|story|text|blog|hentry|prose|detail|"
    r"news|paragraph|richtext|rich-text)",
    re.I,
)
# These say "the article text" so plainly that a negative word beside them does not count.
BODY_HINT = re.compile(
    r"(?:article|story|entry|post|news|body|main)[-_]*(?:body|content|text)|articlebody|hentry",
    re.I,
)
# A box's class or id naming it the article's lead (standfirst), set apart from the text.
LEAD_HINT = re.compile(
    r"(?<![a-z0-9])(?:lead|lede|leader|intro|introduction|standfirst|teaser|sapo|chapo|"
    r"chapeau|deck|dek|abstract|excerpt|summary|vorspann|einleitung|perex|bajada|entradilla|"
    r"sommario)(?![a-z])",
    re.I,
)
ARTICLE_BODY_PROP = re.compile(r"\barticleBody\b")
# What a sentence ends in, closing brackets and quotes included: a label or a kicker does not.
FULL_STOPS = tuple(".!?。！？…")
CLOSING_QUOTES = "\"'”’»」』"
SENTENCE_ENDS = (*FULL_STOPS, ")", "）", *CLOSING_QUOTES)
# Negative words a page builder gives every box of a page, the text's own boxes included
# ("elementor-widget", "skip-item"): boxes so named are chrome only while together they hold
# little of the article's container.  Words naming what a box is (comments, related
# stories, sharing) are chrome however much text their boxes hold.
LAYOUT_BOX_WORDS = frozenset({"widget", "skip"})

# The label of a comment's reply link or button: what marks a block as a reader's comment.
REPLY_ACTION = re.compile(
    r"^(?:reply|replies|répondre|responder|responda|antworten|rispondi|reageer|beantwoorden|"
    r"svara|svar|odpowiedz|ответить|відповісти|回复|返信|답글|답글 달기|الرد|رد|پاسخ)$",
    re.I,
)


# --------------------------------------------------------------------------- tag tables

# Never article text, wherever they are (a <label> names a form control: a poll's answers,
# a newsletter box's e-mail field).
STRIP_TAGS = SKIP_TAGS | {
    "nav",
    "aside",
    "footer",
    "header",
    "figure",
    "figcaption",
    "dialog",
    "menu",
    "label",
}

# Containers we never remove for a class hint: the page itself and explicit article markup.
PROTECTED_TAGS = frozenset({"html", "body", "main", "article"})

TAG_SCORES = {
    "div": 5,
    "article": 10,
    "main": 5,
    "section": 2,
    "pre": 3,
    "td": 3,
    "blockquote": 3,
    "address": -3,
    "ol": -3,
    "ul": -3,
    "li": -3,
    "dl": -3,
    "dd": -3,
    "dt": -3,
    "form": -3,
    "h1": -5,
    "h2": -5,
    "h3": -5,
    "h4": -5,
    "h5": -5,
    "h6": -5,
    "th": -5,
    "body": -5,
}

# Containers whose own text, when cut by <br>s or child blocks, is several paragraphs;
# a <p>, <li> or heading cut by a <br> is still one.
RUN_CONTAINERS = frozenset("div section article main td center blockquote body form dd".split())

LINK_LIST_TAGS = frozenset({"ul", "ol", "p", "div", "li", "section", "table", "dl"})

ITALIC_TAGS = frozenset({"em", "i"})

# Elements that can be a line of text of their own (not a table, a list, a wrapper…).
LEAD_IN_TAGS = frozenset("p div h2 h3 h4 h5 h6 strong b em span".split())


# --------------------------------------------------------------------------- chrome lines
# Phrases and shapes of paragraph text, read by ``chrome_lines``.

BOILERPLATE_LINE = re.compile(
    r"^(?:advertisement|anzeige|werbung|sponsored|read more|read also|also read|see also|"
    r"related(?: articles| stories| news)?|more on this|share this( article)?|share|tweet|"
    r"click here|subscribe|sign up|sign in|log ?in|follow us|loading|image|photo|video)\b.{0,80}$"
    r"|^\d+\s?(?:min|mins|minutes?)(?: read)?$",
    re.I,
)

# Whole paragraphs that are template chrome in any article (compared case-folded).
CHROME_LINES = frozenset(
    line.strip()
    for line in """article content|email address|table of contents|advertisement|anzeige|werbung|
    реклама|реклама:|next|previous|التالي|السابق|بعدی|قبلی|اشتراک گذاری|شارك|share on facebook|
    share on twitter|share on whatsapp|print|comments|loading...|next page|
    previous page""".casefold().split("|")
)

OTHER_STORIES = re.compile(
    r"^(?:you (?:may|might) also (?:like|enjoy|be interested in)|related (?:posts|articles|stories|"
    r"news|content|coverage|reading)|more (?:from|stories|news|articles)\b|recommended(?: for you|"
    r" stories| articles| reading)?|read next|what to read next|most (?:read|popular)|"
    r"weitere artikel|mehr zum thema|das könnte sie auch interessieren|lire aussi|à lire aussi|"
    r"sur le même sujet|te puede interesar|leia também|veja também|читайте также|самые популярные|"
    r"похожие (?:статьи|новости|материалы))\W{0,5}(?:\w+\W{0,3}){0,4}$",
    re.I,
)

# The heading of a comment thread: the text is over where it stands.  The singular alone
# ("Comment") is a table's column or a label in the text; with a count it is the thread's.
COMMENTS_HEADING = re.compile(
    r"^(?:\d+\s+(?:comment|kommentar|commentaire|comentario)"
    r"|(?:\d+\s+)?(?:comments|kommentare|commentaires|comentarios|coment[aá]rios|commenti|"
    r"reacties|комментарии|reader comments|readers' comments))(?:\s*\(\d+\))?:?$"
    r"|^(?:leave|post|add|write) a (?:comment|reply)\b.{0,20}$"
    r"|^join the (?:conversation|discussion)$",
    re.I,
)

SIGN_OFF = re.compile(
    r"(?:got a (?:story|news tip|tip)\b|(?:have|do) you (?:got|have) a story\b"
    r"|follow (?:us|[\w.-]+(?: [\w.-]+){0,2}) on (?:twitter|facebook|instagram|x|threads|"
    r"whatsapp|telegram|linkedin|tiktok|youtube|bluesky|google news)\b"
    r"|for (?:more|the latest) (?:stories|news|updates|articles) like this\b"
    r"|get in touch with (?:our|the) (?:news ?)?(?:team|desk|newsroom)\b"
    r"|(?:sign up|subscribe) (?:to|for) (?:our|the) [\w -]{0,30}newsletter"
    r"|download (?:the|our) [\w .-]{0,30}app\b"
    # a newsletter's pitch, in the many languages that borrowed the word
    r"|.{0,120}\bnewsletter\b)",
    re.I,
)

RELATIVE_TIME = re.compile(
    r"^\W*(?:(?:published|updated|posted|last updated|veröffentlicht|aktualisiert|publié|"
    r"mis à jour|publicado|actualizado)\W*)?"
    r"(?:\d+|an?|one)\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago\W*$"
    r"|^\W*(?:(?:veröffentlicht|aktualisiert)\W*)?vor\s+(?:\d+|einer?|einem)\s+"
    r"(?:sekunden?|minuten?|stunden?|tag(?:en)?|wochen?|monat(?:en)?)\W*$"
    r"|^\W*il y a\s+\d+\s+(?:secondes?|minutes?|heures?|jours?|semaines?|mois)\W*$"
    r"|^\W*hace\s+\d+\s+(?:segundos?|minutos?|horas?|días?|semanas?|meses)\W*$",
    re.I,
)

# hh:mm, 20時01分, 18.16 Uhr; not a price ("$12.99") or a decimal.
CLOCK_TIME = re.compile(r"(?<![\d.,$€£¥])\d{1,2}(?::\d{2}(?!\d)|\s?時\s?\d{1,2}|\.\d{2}\s?Uhr\b)")

_CREDIT_WORD = r"(?:pictures?|photos?|photograph|images?|credits?|fotos?|bild(?:er)?)"
CAPTION_LINE = re.compile(r"\(" + _CREDIT_WORD + r"\s*:\s*[^()]{1,60}\)\s*$", re.I)
# "… empfing am Montag nur 14 Kinder © VS Tristach": a caption that ends in its picture's
# copyright holder.  Article sentences do not end in a © notice.
COPYRIGHT_CREDIT = re.compile(r"©\s*[^©.!?]{1,60}$")
CREDIT_LINE = re.compile(r"^\(?" + _CREDIT_WORD + r"\s*:\s*[^()]{1,60}\)?$", re.I)
