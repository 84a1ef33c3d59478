#!/usr/bin/env python3
"""Which padding bucket realistic identity and testimony sections land in (issue 17, point 3).

Generates sections of the shipped form (config/forms/testimony.toml) with a fixed seed, encodes each as
canonical JSON (sorted keys, no whitespace, UTF-8: the bytes amanatd pads, FORMAT.md section 4.1), and
prints the share of sections per bucket (FORMAT.md section 5) and the smallest bucket that holds 99% of
them. The minimums in the form file (`min_padded_bytes`) come from this run; BENCHMARKS.md has its output.

The model (stated so that it can be argued with):
- Scripts of the witness's own texts: Kazakh or Russian in Cyrillic 60%, Chinese 15%, Uyghur or Kazakh in
  Arabic script 15%, Latin transliteration 10%. A relative's name is in the witness's script.
- Names: 12-45 characters (Chinese 2-10), one in a hundred 45-120 (several patronymics and clan names).
- Relatives: 0-8, mostly 1-4; each has a relation and a status, a location (60%) and notes (50%,
  20-400 characters).
- Narratives: log-normal, median 2,500 characters, sigma 0.8 (so one in a hundred is over about 16,000),
  capped at the form's 60,000; a Chinese narrative says the same in 0.45 times the characters. Long
  testimonies exist: the tail is what the 99% must cover.
"""
import json
import math
import random

SCRIPTS = [("cyrillic", 0.60), ("chinese", 0.15), ("arabic", 0.15), ("latin", 0.10)]
ALPHABETS = {
    "cyrillic": "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
    "chinese": "阿克玛拉托列拜努尔兰巴合提古丽江伊犁塔城阿勒泰乌鲁木齐县乡村营地教育转化中心被拘留失踪监狱",
    "arabic": "ابتجچخدرزسشغفقكگڭلمنھوۇۆۈۋېىي",
    "latin": "abcdefghijklmnopqrstuvwxyz",
}
# A Chinese text says as much in fewer characters.
DENSITY = {"cyrillic": 1.0, "chinese": 0.45, "arabic": 1.0, "latin": 1.0}
RELATIONS = ["father", "mother", "brother", "sister", "spouse", "son", "daughter", "grandparent", "uncle_aunt"]
STATUSES = ["detained_camp", "imprisoned", "forced_labour", "missing", "under_surveillance", "released", "unknown"]


def pick_script(rng):
    roll = rng.random()
    for script, share in SCRIPTS:
        if roll < share:
            return script
        roll -= share
    return SCRIPTS[-1][0]


def text(rng, script, characters):
    """`characters` characters of `script`, words of 3-9 letters, a sentence break now and then."""
    characters = max(1, int(characters))
    alphabet = ALPHABETS[script]
    out = []
    while len(out) < characters:
        if script != "chinese":
            out.extend(rng.choice(alphabet) for _ in range(rng.randint(3, 9)))
            out.append(" ")
        else:
            out.extend(rng.choice(alphabet) for _ in range(rng.randint(2, 6)))
        if rng.random() < 0.08:
            out.append("\n" if rng.random() < 0.3 else ("。" if script == "chinese" else "."))
    return "".join(out[:characters])


def name(rng, script):
    if script == "chinese":
        return text(rng, script, rng.randint(2, 10))
    length = rng.randint(45, 120) if rng.random() < 0.01 else rng.randint(12, 45)
    return text(rng, script, length)


def maybe(rng, share, make):
    return make() if rng.random() < share else None


def relatives_count(rng):
    return rng.choices(range(9), weights=[8, 18, 22, 18, 12, 8, 6, 5, 3])[0]


def identity(rng):
    script = pick_script(rng)
    fields = {
        "full_name": name(rng, script),
        "other_names": maybe(rng, 0.5, lambda: "; ".join(name(rng, pick_script(rng)) for _ in range(rng.randint(1, 3)))),
        "birth_date": maybe(rng, 0.8, lambda: "19%02d-%02d-%02d" % (rng.randint(30, 99), rng.randint(1, 12), rng.randint(1, 28))),
        "contact": maybe(rng, 0.8, lambda: "+7 7%02d %03d %02d %02d " % (rng.randint(0, 99), rng.randint(0, 999), rng.randint(0, 99), rng.randint(0, 99))
                         + text(rng, script, rng.randint(5, 100))),
        "current_city": maybe(rng, 0.9, lambda: text(rng, script, rng.randint(5, 25))),
        "origin_place": maybe(rng, 0.9, lambda: text(rng, script, rng.randint(15, 80))),
        "id_documents": maybe(rng, 0.6, lambda: text(rng, script, rng.randint(20, 200))),
    }
    relatives = []
    for _ in range(relatives_count(rng)):
        relative = {"name": name(rng, script), "relation": rng.choice(RELATIONS)}
        if rng.random() < 0.6:
            relative["location"] = text(rng, script, rng.randint(10, 60))
        if rng.random() < 0.8:
            relative["status"] = rng.choice(STATUSES)
        if rng.random() < 0.5:
            relative["notes"] = text(rng, script, rng.randint(20, 400))
        relatives.append(relative)
    if relatives:
        fields["relatives"] = relatives
    return {key: value for key, value in fields.items() if value is not None}


def testimony(rng):
    script = pick_script(rng)
    narrative = min(60000, rng.lognormvariate(math.log(2500), 0.8) * DENSITY[script])
    fields = {
        "narrative": text(rng, script, narrative),
        "detention_places": maybe(rng, 0.6, lambda: text(rng, script, rng.randint(20, 300) * DENSITY[script])),
        "events_period": maybe(rng, 0.8, lambda: "20%02d-%02d — 20%02d-%02d" % (rng.randint(14, 19), rng.randint(1, 12), rng.randint(18, 24), rng.randint(1, 12))),
        "perpetrators": maybe(rng, 0.5, lambda: text(rng, script, rng.randint(20, 400) * DENSITY[script])),
        "evidence_notes": maybe(rng, 0.4, lambda: text(rng, script, rng.randint(20, 500) * DENSITY[script])),
    }
    return {key: value for key, value in fields.items() if value is not None}


def canonical_length(fields):
    return len(json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())


def bucket(length):
    needed = length + 1
    if needed <= 65536:
        size = 512
        while size < needed:
            size <<= 1
        return size
    return (needed + 65535) // 65536 * 65536


def report(label, lengths):
    lengths.sort()
    count = len(lengths)
    buckets = {}
    for length in lengths:
        buckets[bucket(length)] = buckets.get(bucket(length), 0) + 1
    print(f"{label}: {count} sections; canonical JSON median {lengths[count // 2]} B, "
          f"p99 {lengths[int(count * 0.99)]} B, max {lengths[-1]} B")
    covered = 0
    chosen = None
    for size in sorted(buckets):
        covered += buckets[size]
        if chosen is None and covered >= 0.99 * count:
            chosen = size
        print(f"  bucket {size:>7} B: {100 * buckets[size] / count:6.2f}%   (cumulative {100 * covered / count:6.2f}%)")
    print(f"  smallest bucket holding 99%: {chosen} B")
    own = sum(bucket(length) for length in lengths) / count
    lifted = sum(max(bucket(length), chosen) for length in lengths) / count
    print(f"  mean padded size: {own:.0f} B at its own bucket, {lifted:.0f} B with {chosen} as the minimum "
          f"(+{lifted - own:.0f} B per record)")
    return chosen


def main():
    rng = random.Random(17)
    samples = 20000
    report("identity", [canonical_length(identity(rng)) for _ in range(samples)])
    report("testimony", [canonical_length(testimony(rng)) for _ in range(samples)])


if __name__ == "__main__":
    main()
