"""Who receives the money (recipient) and who gives it (investors, lead) around a funding amount."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span

from nlp import cues
from nlp.orgs import Org, clean_name, fold
from nlp.sentences import doc_text, ranks, sent_of, sentences

# verbs whose subject gives the money: "Sanofi invests $180M in Owkin", "Québec investit 25 M$ dans X"
GIVER_VERB = re.compile(
    r"^(?:invest\w*|inject\w*|back\w*|fund(?:s|ed)?|financ\w*|allou\w*|allocat\w*|grant\w*|award\w*|"
    r"d[ée]bloqu\w*|accord\w*|octroi\w*|mise|mise?|consacr\w*|pledg\w*|commit\w*|earmark\w*|acqui\w*|"
    r"rach[èe]t\w*|dot\w*|verse\w*|provide\w*|offre\w*|approv\w*|approuv\w*|appui|soutien|support|"
    r"aide|investissements?|investments?|financements?|subventions?|grants?|enveloppe|budget|outlay|"
    r"injection|supported|soutenu\w*|disposition)$",
    re.IGNORECASE,
)
# verbs whose subject receives: raise, lever, secure, obtenir...
TAKER_VERB = re.compile(
    r"^(?:rais\w*|secur\w*|s[ée]cur\w*|clos\w*|land\w*|bag\w*|net\w*|snag\w*|attract\w*|collect\w*|"
    r"wrap\w*|receiv\w*|obtain\w*|obt\w*|get|gets|got|l[èe]v\w*|boucl\w*|r[ée]colt\w*|amass\w*|"
    r"empoch\w*|d[ée]croch\w*|re[çc]oi\w*|re[çc]u\w*|b[ée]n[ée]fici\w*|complet\w*|finalis\w*|"
    r"annonc\w*|announc\w*)$",
    re.IGNORECASE,
)
ANNOUNCE = re.compile(r"^(?:annonc\w*|announc\w*|approv\w*|approuv\w*)$", re.IGNORECASE)
RECIPIENT_PREP = {"in", "into", "dans", "en", "to", "à", "au", "for", "pour", "of", "de"}
_GOV_EN = re.compile(
    r"\b(?:the\s+)?((?:[A-Z][\w.]*\s+|federal\s+|provincial\s+){0,2})(government|Government|Cabinet|cabinet)"
    r"(\s+of\s+[A-Z][\w]+)?"
)
_GOV_FR = re.compile(
    r"\b(gouvernement|Gouvernement)(\s+(?:du|de la|de l['’]|des|d['’])\s*[A-ZÉÈ][\w-]+|\s+[A-Z][\w-]+|"
    r"\s+(?:f[ée]d[ée]ral|provincial|fran[çc]ais|belge|canadien|qu[ée]b[ée]cois|wallon|suisse|britannique|"
    r"allemand|luxembourgeois))?"
)


def _is_funding_token(t) -> bool:
    return bool(GIVER_VERB.match(t.text) or TAKER_VERB.match(t.text))


def _verb_for(doc: Doc, sent: Span, amount: Span):
    """The funding word governing the amount: one right before it ("investissement de", "raised"),
    else its syntactic head chain, else the nearest one in the sentence (the small models often
    mis-tag "investit" or "lève", so POS is not required)."""
    for t in reversed(doc[max(sent.start, amount.start - 4) : amount.start]):
        if _is_funding_token(t) and not ANNOUNCE.match(t.text):
            if GIVER_VERB.match(t.text) and t.pos_ == "NOUN":
                # "Sylvea a obtenu une subvention de 1,5 M€": the noun is what the subject receives
                for u in reversed(doc[max(sent.start, t.i - 4) : t.i]):
                    if TAKER_VERB.match(u.text) and not ANNOUNCE.match(u.text) and u.pos_ in ("VERB", "AUX"):
                        return u
            return t
    tok = amount.root
    for _ in range(6):
        if tok.pos_ in ("VERB", "AUX", "NOUN") and _is_funding_token(tok) and not ANNOUNCE.match(tok.text):
            return tok
        if tok.head is tok:
            break
        tok = tok.head
    best, dist = None, 10**6
    for t in sent:
        if t.pos_ != "PUNCT" and _is_funding_token(t) and not (amount.start <= t.i < amount.end):
            d = abs(t.i - amount.start) + (0 if t.i < amount.start else 3) + (8 if ANNOUNCE.match(t.text) else 0)
            if d < dist:
                best, dist = t, d
    return best


_HEADS = {"up", "startup", "start-up", "société", "entreprise", "firme", "company", "firm", "pousse", "pépite",
          "licorne", "off", "spin-off", "scale-up", "unicorn", "laboratoire", "lab"}


def _named_after_head(doc: Doc, amount: Span, sent: Span, orgs: dict[str, Org]) -> str | None:
    """ "... dans la start-up Owkin": the known name right after a preposition and a generic head."""
    seen_prep = False
    for t in doc[amount.end : min(sent.end, amount.end + 16)]:
        if t.lower_ in RECIPIENT_PREP and not _in_brackets(t):
            seen_prep = True
        elif seen_prep and t.i > 0 and doc[t.i - 1].lower_ in _HEADS and t.text[:1].isupper():
            key = fold(clean_name(t.text))
            return key if key in orgs and not orgs[key].funder else None
    return None


def _in_brackets(t) -> bool:
    text = doc_text(t.doc)
    left = text[max(0, t.idx - 40) : t.idx]
    return left.rfind("(") > left.rfind(")")


def recipient_scores(doc: Doc, orgs: dict[str, Org], amount: Span, title_end: int) -> dict[str, float]:
    """Score each organisation as the receiver of `amount`.

    Linear rules first (robust to the small models' parse errors): with a taker verb (raise, lève,
    secure) the name closest before the verb receives; with a giver verb (invest, injecte, alloue)
    the name after "in"/"dans"/"pour" receives and the one before gives. Then how often and how
    early the article names it.
    """
    sent = sent_of(amount)
    verb = _verb_for(doc, sent, amount)
    giver = bool(verb is not None and GIVER_VERB.match(verb.text))
    pivot = verb.i if verb is not None else amount.start
    subj_heads = set()
    if verb is not None:
        subj_heads = {c.i for c in verb.children if c.dep_.startswith("nsubj")}
    in_sent_orgs = []
    for key, org in orgs.items():
        for sp in org.spans:
            if sent_of(sp).start == sent.start:
                in_sent_orgs.append((sp, key))
    before = sorted([(sp, k) for sp, k in in_sent_orgs if sp.end <= pivot], key=lambda x: -x[0].end)
    after = sorted([(sp, k) for sp, k in in_sent_orgs if sp.start > max(pivot, amount.start)],
                   key=lambda x: x[0].start)
    bonus: dict[str, float] = {}

    def give(k: str, w: float) -> None:
        bonus[k] = max(bonus.get(k, 0.0), w)

    if giver:
        for sp, k in sorted(in_sent_orgs, key=lambda x: x[0].start):
            if sp.start <= pivot or orgs[k].place:
                continue
            # counted from the amount when it follows the verb, minus a bracketed conversion "(environ 159 M€)"
            between = [t for t in doc[max(pivot + 1, amount.end) : sp.start] if not _in_brackets(t)]
            if len(between) <= 12 and any(t.lower_ in RECIPIENT_PREP for t in between):
                give(k, 3.5)
                break
        named = _named_after_head(doc, amount, sent, orgs)
        if named and not bonus:
            give(named, 3.5)  # "investit 180 M$ dans la start-up Owkin" where NER missed this mention
        for sp, k in after:  # "Grâce à cet appui de 36 M$, Mila pourra..."
            if not orgs[k].place and not orgs[k].person and sp.start - amount.end <= 3:
                give(k, 2.0)
    else:
        for rank, (sp, k) in enumerate(before):
            if not orgs[k].funder and not orgs[k].place:
                give(k, 3.0 if rank == 0 or any(i in subj_heads for i in range(sp.start, sp.end)) else 1.0)
                if rank == 0:
                    break
        if verb is not None and verb.i > sent.start and not any(
                sp.end == verb.i for sp, _ in before[:1]):
            # "Plan X : Sylvea décroche 1,5 M€": the name right before a taker verb, untagged here, beats
            # a name further left
            key = fold(clean_name(doc[verb.i - 1].text))
            if doc[verb.i - 1].text[:1].isupper() and key in orgs and not orgs[key].funder and not orgs[key].place:
                give(key, 3.5)
        for sp, k in after:  # "funding for X", "financement de X", "€20M pour X"
            between = doc[amount.end : sp.start]
            if len(between) <= 4 and any(t.lower_ in ("for", "pour", "to", "à", "au") for t in between):
                give(k, 2.0)
    scores: dict[str, float] = {}
    for key, org in orgs.items():
        s = bonus.get(key, 0.0)
        if org.place:
            s -= 3.0
        if any(sent_of(sp).start == sent.start for sp in org.spans):
            s += 1.0
        s += min(len(org.spans), 6) * 0.45
        if any(sp.start < title_end for sp in org.spans):
            s += 1.0
        if org.funder:
            s -= 2.0
        if org.place:
            s -= 2.5
        if org.person:
            # the small models tag many start-up names as people; two-word names are likelier people
            s -= 4.0 if any(len(sp) > 1 for sp in org.spans) else 1.0
        if _investor_context(doc, org):
            s -= 1.5
        if any(sent_of(sp).start == sent.start and _after_from(doc, sp, amount) for sp in org.spans):
            s -= 2.5
        scores[key] = s
    return scores


def _investor_context(doc: Doc, org: Org) -> bool:
    """Every mention sits right after "led by" / "mené par"-like cues."""
    hits = 0
    for sp in org.spans:
        left = doc_text(doc)[max(0, sp.start_char - 40) : sp.start_char]
        if re.search(r"\b(?:led by|backed by|by|par|auprès d[eu']?|de la part d[eu']?|from|including|dont|"
                     r"investors?|investisseurs?)\s+(?:the\s+|la\s+|le\s+|l['’])?[\w\s,&'’-]{0,25}$",
                     left, re.IGNORECASE):
            hits += 1
    return hits and hits == len(org.spans)


_STRONG_INVESTOR_CUE = re.compile(
    r"\b(?:led by|co-led by|led the|leads? the|co-led|backed by|backers?|investors?|investisseurs?|"
    r"particip\w*|involved|were also|was also|as were|as did|joined|rejoin\w*|alongside|aux c[ôo]t[ée]s|"
    r"ainsi que|auprès d(?:e|u|es)|auprès d['’]|men[ée]e? par|a men[ée]|m[èe]ne|m[èe]nent|conduit|pilote|"
    r"pilot[ée]e? par|"
    r"port[ée]e? par|conduite? par|"
    r"dirig[ée]e? par|dirige|tour de table|shareholders?|actionnaires?|contribu\w*|on trouve|on compte|"
    r"parmi (?:les|ses)|among (?:the|its)|entre au capital|entr[ée] au capital|au capital de|"
    r"took part|pris part|also (?:invested|participated|joined|backed)|[ée]galement investi|"
    r"invested|a investi|ont investi|injected|funded by|financ[ée]e?s? par|financement (?:assur[ée] )?par|"
    r"soutenue? par|supported by|"
    r"with (?:participation|backing) from|avec la participation|avec l['’]appui|"
    r"(?:investors|backers|participants) includ\w+|ont suivi|followed|"
    r"(?:investments?|funding|money|capital|backing|cash) from|round (?:also )?includ\w+|"
    r"(?:allou|accord|octroy|vers|attribu)[ée]e?s? par|(?:allocated|granted|awarded|provided) by|"
    r"includ\w+ (?:investments?|participation)|financement de la part|provenant de)\b",
    re.IGNORECASE,
)
_ROLE_NOT_INVESTOR = re.compile(
    r"\b(?:fondateur|fondatrice|co-?fondateur|co-?fondatrice|founder|co-?founder|cofond[ée]e?|fond[ée]e? par|"
    r"founded by|set up by|cr[ée]{2}e? par|chercheurs?|researchers?|engineers?|ing[ée]nieurs?|professeur|"
    r"professor|ministre|minister|porte-parole|spokes\w+|analyste|analyst|said|a d[ée]clar[ée]|"
    r"a indiqu[ée]|selon|according)\b",
    re.IGNORECASE,
)
# "former Google CEO", "ancien CEO de Google", "Google's DeepMind": the company is a background
_EMPLOYER_LEFT = re.compile(r"(?:CEO|PDG|patron|boss|chief|head|directeur|director|ex|former|ancien)\s+"
                            r"(?:de\s+|d['’]|of\s+|chez\s+|at\s+)?$", re.IGNORECASE)
_OWNED_LEFT = re.compile(r"\b(?:propri[ée]taire|owner|poss[èe]de|owns|owning|filiale|subsidiary|"
                         r"sister company|soci[ée]t[ée] s[œo]eur)\b[^.;,]{0,60}$", re.IGNORECASE)
_EMPLOYER_RIGHT = re.compile(r"^(?:['’]s\s+(?:\w+\s+)?)?(?:-backed|-owned|CEO|chief|researchers?|engineers?|"
                             r"employees?|alumni|veterans?|executives?|shareholders?|investors?|actionnaires|"
                             r"filings?|regulatory)\b|^\s*[-–]\s*backed", re.IGNORECASE)


# a public funder that runs the programme pays out its money; other operators (an agency) do not count
_OPERATOR_LEFT = re.compile(r"\b(?:op[ée]r[ée]e?s?|g[ée]r[ée]e?s?|administr[ée]e?s?|operated|managed|administered|"
                            r"run)\s+(?:par|by)\s+(?:la\s+|le\s+|l['’]\s*|the\s+)?$", re.IGNORECASE)
_PORTFOLIO_LEFT = re.compile(
    r"\b(?:minist\w+|secr[ée]tari?at? d['’][ée]tat|secretary|d[ée]put[ée]e?|adjointe? parlementaire|"
    r"responsable)\b[^.;:]{0,60}?\b(?:de|du|des|d['’]|of|for|et|and)\s*(?:la\s+|l['’]\s*|le\s+|les\s+|the\s+)?$",
    re.IGNORECASE,
)
_OFFICIAL_LEFT = re.compile(r"\b(?:minist\w+|d[ée]put[ée]e?|secretary|premier|prime minister|mayor|maire)\b"
                            r"[^.;]{0,140}?(?:\bM\.|\bMme|\bMr\.?|\bMrs\.?|\bMs\.?)\s*(?:[A-ZÉ][\w-]+\s+)?$")
_STAFF_OF_LEFT = re.compile(
    r"\b(?:chercheu\w+|researchers?|ing[ée]nieu\w+|engineers?|employ[ée]e?s?|employees?|salari[ée]e?s?|"
    r"cadres?|executives?|alumni|anciens? (?:de|d['’]|chez)|former (?:employees?|staff)|spin-?off|spin-?out|"
    r"essaimage|issue?s? (?:de|d['’]))\b[^.;]{0,50}?"
    r"\b(?:de|d['’]|chez|at|from|of)\s*(?:la\s+|le\s+|l['’]\s*|the\s+)?(?:[A-Z][\w-]*\s*(?:,|et|and|&)\s*)*$",
    re.IGNORECASE,
)
_INVESTEE_LEFT = re.compile(r"\b(?:invest\w*|investi|backed|soutenu\w*|financ\w*|rachet\w*|acquired|bought)\s+"
                            r"(?:dans|in|en)\s+(?:la |le |l['’]|the )?(?:[A-Z][\w-]*\s*(?:,|et|and)\s*)*$",
                            re.IGNORECASE)


def _alias_of(doc: Doc, sp: Span, recip: Org) -> bool:
    text = doc_text(doc)
    for r in recip.spans:
        gap = text[r.end_char : sp.start_char] if r.end_char <= sp.start_char else text[sp.end_char : r.start_char]
        if len(gap) <= 4 and re.fullmatch(r"\s*[-–—(,]\s*", gap):
            return True
    return False


_ROUND_WORD = re.compile(
    r"\b(?:round|tour de table|lev[ée]e|fund-?rais\w*|funding|financement|investment|investissement|"
    r"op[ée]ration|capital|series|s[ée]rie|seed|amor[çc]age|deal|transaction|"
    r"(?:new|existing|other|prior|previous|early|current) (?:investors|backers|shareholders)|"
    r"(?:nouveaux|autres|anciens|premiers|principaux) (?:investisseurs|actionnaires|bailleurs)|"
    r"(?:investisseurs|actionnaires) (?:existants|historiques|actuels))\b",
    re.IGNORECASE,
)


_TITLE_NEAR = re.compile(
    r"\b(?:directeur|directrice|director|CEO|PDG|pr[ée]sident\w*|president|patron|chief|head|DG|"
    r"dirigeant\w*|responsable|manager|g[ée]rant\w*)\b[^.;]*$",
    re.IGNORECASE,
)


_LEAD_LEFT = re.compile(
    r"(?:led by|co-led by|men[ée]e? par|co-?men[ée]e? par|pilot[ée]e? par|port[ée]e? par|conduite? par)"
    r"(?:(?!with|along|alongside|avec|ainsi|particip|also|aussi|[ée]galement|as well|aux c[ôo]t[ée]s|"
    r"accompagn|together|en compagnie|rejoint|joined)[^.;]){0,60}$",
    re.IGNORECASE,
)
_LEAD_RIGHT = re.compile(r"^[^.;]{0,20}\b(?:led|a men[ée]|mène|leads)\b", re.IGNORECASE)
_FORMER = re.compile(r"\b(?:former|ancien|ex-?)\s+(?:[\w-]+\s+){0,3}(?:CEO|PDG|chief|head|patron|"
                     r"directeur|director|pr[ée]sident|president|chef)\b", re.IGNORECASE)


def investors_for(doc: Doc, orgs: dict[str, Org], recipient_key: str | None, amount: Span,
                  kind_public: bool, exclude_sents: frozenset[int] | set[int] = frozenset(),
                  exclude_keys: frozenset[str] | set[str] = frozenset()) -> tuple[list[str], list[str]]:
    """Investors and lead investors of the round the amount belongs to.

    Candidates are names in sentences that both talk about investing (led by, participated,
    investors, tour de table...) and are about this round (they name the recipient, sit close to
    the amount, or are the amount's own sentence). Founders, spokespeople, employers mentioned in a
    title ("former Google CEO") and the recipient itself are left out.
    """
    sent = sent_of(amount)
    recip = orgs.get(recipient_key) if recipient_key else None
    recip_sents = {sent_of(sp).start for sp in recip.spans} if recip else set()
    sents = list(sentences(doc))
    idx = next((k for k, s_ in enumerate(sents) if s_.start == sent.start), 0)
    rank = ranks(doc)  # distances counted in sentences of a few words, not headings or bylines
    value = amount._.amount.value if amount._.amount else None
    other_round_sents = set()
    for a_sp in doc.spans.get("amounts", []):
        a = a_sp._.amount
        if (value and a and sent_of(a_sp).start != sent.start and not _same_or_converted(a.value, value, a_sp, doc)
                and (a.value > value and not cues.TOTAL.search(_left_of(doc, a_sp, 60))
                     or cues.PAST.search(sent_of(a_sp).text))):
            other_round_sents.add(sent_of(a_sp).start)  # an earlier round or another deal, not a tranche
    money_sents = {sent_of(a_sp).start for a_sp in doc.spans.get("amounts", [])} - other_round_sents
    ok_sents = {sent.start}
    chained = False
    for k, s_ in enumerate(sents):
        if s_.start in exclude_sents:
            chained = False
            continue
        if chained and _list_fragment(s_):
            ok_sents.add(s_.start)  # "...figurent Eric Schmidt ; la banque Bpifrance, JCDecaux Holding"
            continue
        if cues.TEASER.search(s_.text) or not _STRONG_INVESTOR_CUE.search(s_.text) or rank[k] < rank[idx] - 2:
            chained = False
            continue
        about_round = (s_.start in recip_sents or s_.start in money_sents or k == idx
                       or bool(_ROUND_WORD.search(s_.text)))
        if about_round or chained and rank[k] - rank[idx] <= 10:
            ok_sents.add(s_.start)
            chained = True
        else:
            chained = False
    investors: list[str] = []
    lead: list[str] = []
    for key, org in orgs.items():
        if key == recipient_key or org.place or key in exclude_keys:
            continue
        if recip and (key in recip.key or recip.key in key):
            continue
        if org.person and any(_ROLE_NOT_INVESTOR.search(_window(doc, sp, 60, 60)) for sp in org.spans):
            continue
        good = []
        for sp in org.spans:
            if (org.funder and sent_of(sp).start in recip_sents | {sent.start}
                    and _OPERATOR_LEFT.search(_left_of(doc, sp, 40))):
                good.append(sp)  # "une subvention ... du plan France 2030, opéré par Bpifrance"
                continue
            if sent_of(sp).start not in ok_sents or sent_of(sp).start in other_round_sents:
                continue
            left = doc_text(doc)[max(sent_of(sp).start_char, sp.start_char - 40) : sp.start_char]
            right = doc_text(doc)[sp.end_char : sp.end_char + 40]
            if not org.person and (_EMPLOYER_LEFT.search(left) or _OWNED_LEFT.search(left)):
                continue  # "former Google CEO", "propriétaire de QuantumBlack"
            if _EMPLOYER_RIGHT.search(right) or _compared(doc, sp):
                continue
            wide = doc_text(doc)[max(sent_of(sp).start_char, sp.start_char - 160) : sp.start_char]
            if _STAFF_OF_LEFT.search(wide[-90:]) or _INVESTEE_LEFT.search(wide[-40:]):
                continue  # "anciens chercheurs de Meta et Google", "ont investi dans Github": not givers here
            if recip and _alias_of(doc, sp, recip):
                continue  # "Mila - Institut québécois d'IA", "SNAI (Swiss National AI Institute)"
            if _PORTFOLIO_LEFT.search(wide[-110:]) or _OFFICIAL_LEFT.search(wide):
                continue  # "ministre de l'Innovation", "la ministre ..., Mme X": portfolios and officials
            if org.person and _TITLE_NEAR.search(left[-45:]) and not _FORMER.search(left[-45:]):
                continue  # "le directeur du numérique de Sanofi, Arnaud Robert" (but "former Google CEO X")
            if re.match(r"^['’]s\b", right) and not re.match(r"^['’]s\s+(?:\w+\s+)?(?:invest\w*|fund\w*|"
                                                            r"venture|backing|capital)", right, re.I):
                continue  # "OpenAI's competitor", "Musk's acquisition": a possessor, not a giver
            if sent_of(sp).start == sent.start and (_after_from(doc, sp, amount)
                                                    or org.funder and _after_de(doc, sp, amount)):
                good.append(sp)  # "raised €3m from Frontline Ventures", "lève 5 M€ auprès d'Elaia"
                continue
            if sent_of(sp).start == sent.start and not _STRONG_INVESTOR_CUE.search(sent_of(sp).text):
                verb = _verb_for(doc, sent, amount)
                if not (verb is not None and GIVER_VERB.match(verb.text) and sp.end <= verb.i):
                    continue  # in the amount's sentence without a cue, only the giver's subject
            good.append(sp)
        if not good:
            continue
        investors.append(org.name)
        text = doc_text(doc)
        if any(_LEAD_LEFT.search(text[max(0, sp.start_char - 80) : sp.start_char])
               or _LEAD_RIGHT.match(text[sp.end_char : sp.end_char + 30])
               for sp in good):
            lead.append(org.name)
    giver = giving_subject(doc, orgs, amount)
    if giver is not None and giver.key != recipient_key and giver.name not in investors:
        investors.insert(0, giver.name)
    # a government named around the amount funds it; for programmes and grants, also one in the title
    around = [s_ for k, s_ in enumerate(sents) if rank[idx] - 1 <= rank[k] <= rank[idx] + 2]
    if kind_public and rank[idx] > 2:
        around = [s_ for k, s_ in enumerate(sents) if rank[k] == 0 or rank[idx] - 2 <= rank[k] <= rank[idx] + 2]
    window = " ".join(s_.text for s_ in around)
    for gov in _governments(window):
        bare = [i for i in investors if fold(i) in fold(gov) and fold(i) != fold(gov)]
        if bare:  # "Gouvernement" named alone, "Gouvernement wallon" in full: keep the full name
            investors = [gov if i in bare else i for i in investors]
            lead = [gov if i in bare else i for i in lead]
        if not any(fold(gov) in fold(i) or fold(i) in fold(gov) for i in investors):
            investors.append(gov)
    return _drop_contained(investors), _drop_contained(lead)


def _drop_contained(names: list[str]) -> list[str]:
    """ "EPF" next to "Conseil des EPF", "Sequoia" next to "Sequoia Capital": one investor, the longer name."""
    out: list[str] = []
    for n in names:
        words = f" {fold(n)} "
        if any(o != n and f" {fold(o)} " != words and words in f" {fold(o)} " for o in names):
            continue
        if n not in out:
            out.append(n)
    return out


_FROM = re.compile(r"(?:\bfrom|\bauprès\s+d['’e]\s*(?:la\s+|le\s+|l['’]|des\s+)?|\bde la part d['’e]\s*"
                   r"(?:la\s+|le\s+|l['’])?|\bby)\s*(?:[\w&'’.-]+\s*,?\s*(?:and|et)?\s*){0,6}$", re.IGNORECASE)


def _after_from(doc: Doc, sp: Span, amount: Span) -> bool:
    """The name follows the amount and a "from"/"auprès de" that introduces who gives it."""
    if sp.start < amount.end:
        return False
    between = doc_text(doc)[amount.end_char : sp.start_char]
    return len(between) < 120 and bool(_FROM.search(between))


_DE = re.compile(r"^[^.;]{0,40}\b(?:de la|du|de l['’]|des|d['’])\s*$", re.IGNORECASE)


def _after_de(doc: Doc, sp: Span, amount: Span) -> bool:
    """ "un prêt de 10 M€ de la BEI": a well-known funder right after the amount and "de"."""
    if sp.start < amount.end:
        return False
    return bool(_DE.match(doc_text(doc)[amount.end_char : sp.start_char]))


def _left_of(doc: Doc, sp: Span, n: int) -> str:
    return doc_text(doc)[max(sent_of(sp).start_char, sp.start_char - n) : sp.start_char]


def _same_or_converted(v: float, ref: float, sp: Span, doc: Doc) -> bool:
    if abs(v - ref) <= 0.1 * ref:  # the same round, rounded differently ("over $1bn", "$1.05bn")
        return True
    gap = doc_text(doc)[max(0, sp.start_char - 3) : sp.start_char]
    return "(" in gap  # "(€186mn)": a conversion written next to the figure


def _list_fragment(sent: Span) -> bool:
    """A piece of a list the sentence splitter cut at a semicolon (or that goes on in lower case)."""
    doc = sent.doc
    after_semicolon = sent.start > 0 and doc[sent.start - 1].text == ";"
    return len(sent) < 30 and (after_semicolon or sent.text[:1].islower())


_INVESTOR_NOUN = re.compile(r"\b(?:investisseurs?|investors?|fonds|funds?|backers?|actionnaires?|"
                            r"shareholders?|pot|bailleurs?|VCs?|firms|firmes)\b", re.IGNORECASE)


def _compared(doc: Doc, sp: Span) -> bool:
    """ "des entreprises telles que Snapchat", "rivals such as OpenAI": named for comparison, unless
    the list gives examples of investors ("des investisseurs comme Lux Capital")."""
    left = doc_text(doc)[max(sent_of(sp).start_char, sp.start_char - 120) : sp.start_char]
    m = cues.COMPARATOR_LIST.search(left)
    if not m:
        return False
    words = re.findall(r"\w+", left[: m.start()])[-2:]  # the noun the examples illustrate
    return not any(_INVESTOR_NOUN.fullmatch(w) or w.lower() in ("existants", "existing") for w in words)


def _window(doc: Doc, sp: Span, left: int, right: int) -> str:
    return doc_text(doc)[max(0, sp.start_char - left) : sp.end_char + right]


def _subject_of(verb, org: Org) -> bool:
    if verb is None:
        return False
    ids = set()
    for child in verb.children:
        if child.dep_.startswith("nsubj"):
            ids.update(t.i for t in child.subtree)
    return any(ids.intersection(range(s.start, s.end)) for s in org.spans)


def _near_cue(doc: Doc, sp: Span) -> bool:
    """An investor cue in the same clause as the mention (within ~120 characters before it, or the
    mention is followed by "participated"/"a participé"/"invested")."""
    sent = sent_of(sp)
    left = doc_text(doc)[max(sent.start_char, sp.start_char - 160) : sp.start_char]
    right = doc_text(doc)[sp.end_char : min(sent.end_char, sp.end_char + 80)]
    if cues.INVESTOR_CUE.search(left):
        return True
    return bool(re.search(r"^[^.;]{0,60}\b(?:particip\w*|invest\w*|contribu\w*|join\w*|rejoin\w*|"
                          r"led|a men[ée]|backed|soutien\w*|also|[ée]galement)", right, re.I))


def _governments(text: str) -> list[str]:
    out = []
    for m in _GOV_EN.finditer(text):
        qual = (m.group(1) or "").strip()
        of = (m.group(3) or "").strip()
        if qual or of:
            out.append(clean_name(f"{qual} {m.group(2)} {of}".strip()))
    for m in _GOV_FR.finditer(text):
        if m.group(2):
            out.append(clean_name(f"{m.group(1)}{m.group(2)}"))
    return out


PUBLIC_BODY = re.compile(
    r"\b(?:government|gouvernement|minist\w+|cabinet|[ée]tat|state|r[ée]gion|province|commission|council|"
    r"conseil|agency|agence|federal|f[ée]d[ée]ral|city|ville|union)\b",
    re.IGNORECASE,
)
_PROG_STOP = {"jusqu", "jusqu’", "jusqu'", "until", "over", "sur", "d’ici", "by", "avec", "with", "afin", "to",
              "pour", "for", "in", "en", "dans", "qui", "which", "that", "et", "and", "au", "à"}


def giving_subject(doc: Doc, orgs: dict[str, Org], amount: Span) -> Org | None:
    """The organisation or place that gives, when a giver verb ("La Wallonie va investir") governs."""
    verb = _verb_for(doc, sent_of(amount), amount)
    if verb is None or not GIVER_VERB.match(verb.text):
        return None
    for org in orgs.values():
        if _subject_of(verb, org):
            return org
    before = [(sp, o) for o in orgs.values() for sp in o.spans
              if sent_of(sp).start == sent_of(amount).start and sp.end <= verb.i]
    return max(before, key=lambda x: x[0].end)[1] if before else None


def programme_phrase(doc: Doc, amount: Span) -> str | None:
    """ "investir 900 000 euros dans un plan d'amorçage", "invest £100m in a new taskforce": the
    noun phrase after the preposition names the programme funded."""
    verb = _verb_for(doc, sent_of(amount), amount)
    if verb is None or not GIVER_VERB.match(verb.text):
        return None
    sent_end = sent_of(amount).end
    i = amount.end
    while i < sent_end and i - amount.end < 6 and doc[i].lower_ not in ("dans", "in", "into"):
        i += 1
    if i >= sent_end or doc[i].lower_ not in ("dans", "in", "into"):
        return None
    i += 1
    while i < sent_end and doc[i].pos_ == "DET":
        i += 1
    words = []
    while i < sent_end and len(words) < 6:
        t = doc[i]
        if t.is_punct and t.text not in ("-", "’", "'") or t.lower_ in _PROG_STOP or t.like_num:
            break
        words.append(t.text_with_ws)
        i += 1
    name = "".join(words).strip()
    if not name or not any(ch.isalpha() for ch in name) or name[0].isupper():
        return None  # a capitalised phrase is a name NER should have found
    return name


_NAME_WORD = r"[«\"“]?[A-Z0-9ÉÈÀ][\w.’'&+-]*[»\"”]?"
_NAME_RUN = rf"{_NAME_WORD}(?:\s+(?:(?:de|du|des|d['’]|of|for|pour|la|le|l['’]|the|et|and|&)\s+)?{_NAME_WORD}){{0,6}}"
_PROG_HEAD_FR = (r"programme|plan|fonds|projet|initiative|dispositif|appel (?:à|a) projets|strat[ée]gie|"
                 r"mission|chantier|p[ôo]le|centre|institut|cluster|r[ée]seau")
_PROG_HEAD_EN = r"programme|program|plan|fund|project|initiative|scheme|strategy|mission|centre|center|institute|hub"
_DET_FR = r"(?:(?:le|la|l['’]|les|un|une|du|des|ce|cette|nouveau|nouvelle|futur|future|grand|grande)\s*)*"
_DET_EN = r"(?:(?:the|a|an|this|new|national|flagship|government['’]s)\s+)*"
# "une enveloppe de 20 M€ pour le programme DigitalWallonia4.AI", "€50m for the programme AI Boost"
_PROG_AFTER_FR = re.compile(
    rf"^[^.;:!?]{{0,60}}?\b(?:pour|au profit d[eu']|en faveur d[eu']|destin[ée]e?s? (?:à|au|aux)|(?:allou[ée]e?s?|"
    rf"attribu[ée]e?s?|consacr[ée]e?s?|affect[ée]e?s?|accord[ée]e?s?) (?:à|au|aux)|au|aux|à)\s*{_DET_FR}"
    rf"(?:{_PROG_HEAD_FR})\s+(?:(?:baptis[ée]e?|intitul[ée]e?|nomm[ée]e?|appel[ée]e?|dit)\s+)?(?P<name>{_NAME_RUN})"
)
_PROG_AFTER_EN = re.compile(
    rf"^[^.;:!?]{{0,60}}?\b(?:for|to|towards|into|in)\s+{_DET_EN}(?:(?P<head>{_PROG_HEAD_EN})\s+"
    rf"(?:(?:called|named|dubbed|known as)\s+)?(?P<name>{_NAME_RUN})|(?P<name2>{_NAME_RUN})\s+(?:{_PROG_HEAD_EN})\b)"
)
_POSSESSIVE_AFTER = re.compile(r"\b(?:son|sa|ses|leur|leurs|its|their|his|her)\s+(?:\w+\s+)?$", re.IGNORECASE)


def named_programme(doc: Doc, amount: Span) -> str | None:
    """A named programme, plan or fund the amount goes to, when the sentence gives money rather than
    raises it: "le Gouvernement a approuvé une enveloppe de 20 M€ pour le programme X" -> "X";
    "the government committed £40m to the AI Pathfinder programme" -> "AI Pathfinder".
    Possessives ("lève 5 M€ pour son programme...") name the raiser's own project, not a recipient."""
    sent = sent_of(amount)
    verb = _verb_for(doc, sent, amount)
    if verb is not None and TAKER_VERB.match(verb.text) and not ANNOUNCE.match(verb.text):
        return None
    text = doc_text(doc)
    after = text[amount.end_char : sent.end_char]
    lang_fr = doc.lang_ == "fr"
    m = (_PROG_AFTER_FR if lang_fr else _PROG_AFTER_EN).match(after)
    if not m:
        return None
    name = m.group("name") or (m.groupdict().get("name2"))
    if not name:
        return None
    if _POSSESSIVE_AFTER.search(after[: m.start("name" if m.group("name") else "name2")]):
        return None
    name = re.sub(r"(?:\s+(?:de|du|des|d['’]|of|for|pour|la|le|l['’]|the|et|and|&))+$", "", name.strip())
    name = name.strip(" \t'’\"«»“”()[],.;:–—-")
    if not name or not re.search(r"[A-Z]", name) or len(name) < 3 or fold(name) in _GENERIC_PUBLIC:
        return None
    return name


_GENERIC_PUBLIC = {"gouvernement", "government", "etat", "state", "region", "ministere", "ministry", "commission",
                   "europe", "ue", "eu", "ia", "ai"}
