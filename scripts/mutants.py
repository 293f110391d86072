#!/usr/bin/env python3
"""Mutation check of the programs' validation code (issue 12).

Every check in programs/*/src is a mutation site:

  require!(C, E)            -> require!(crate::depin_mutant(N) || (C), E)
  require_keys_eq!(A, B, E) -> require!(crate::depin_mutant(N) || (A) == (B), E)
  require_keys_neq!(A,B,E)  -> require!(crate::depin_mutant(N) || (A) != (B), E)
  constraint = C @ E        -> constraint = crate::depin_mutant(N) || (C) @ E
  has_one = f @ E           -> constraint = crate::depin_mutant(N) || acct.f == f.key() @ E
  address = X @ E           -> constraint = crate::depin_mutant(N) || acct.key() == X @ E
  owner = X @ E             -> constraint = crate::depin_mutant(N) || *acct.to_account_info().owner == X @ E

`depin_mutant(N)` is true only when the environment holds DEPIN_MUTANT=N, so one build of
an instrumented copy of the tree carries every mutant ("mutation schemata"), and mutant N is
the check N removed. Each mutant then runs the native test binaries, those of its program
first, until one fails (killed) or all pass (survived). cargo-mutants would rebuild the
workspace for each of ~250 mutants (minutes each on 2 cores); this builds once.

  python3 scripts/mutants.py [--only PROGRAM] [--mutants 3,17] [--limit N] [--timeout S]

Writes target/mutants/report.json and prints the survivors.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "target", "mutants")
TREE = os.path.join(WORK, "tree")
PROGRAMS = ["node_registry", "proof_verifier", "emissions", "fee_settlement"]
# test binaries that exercise each program, tried first
FIRST = {
    "node_registry": ["register_node", "node_lifecycle", "network_and_makers", "device_record",
                      "compressed_nodes", "compressed_registry", "events", "lookup_tables"],
    "proof_verifier": ["proof_verifier", "challenges", "storage_commitment", "sector_service",
                       "oracle_epochs"],
    "emissions": ["emissions", "claim_cpi", "compressed_claims", "cli_rewards"],
    "fee_settlement": ["fee_settlement", "bme", "cli_credits"],
}
# slow or unrelated to on-chain checks
SKIP = {"sbf_probe", "cu_scenarios", "rpc_e2e", "demo", "idl"}

MUTANT_FN = '''
/// Mutation testing (scripts/mutants.py): true when DEPIN_MUTANT names check `id`.
#[doc(hidden)]
pub fn depin_mutant(id: u32) -> bool {
    static ACTIVE: std::sync::OnceLock<Option<u32>> = std::sync::OnceLock::new();
    *ACTIVE.get_or_init(|| std::env::var("DEPIN_MUTANT").ok().and_then(|v| v.parse().ok()))
        == Some(id)
}
'''


def split_args(s):
    """Top-level comma-separated parts of a macro's argument text."""
    parts, depth, cur, in_str = [], 0, [], False
    for i, ch in enumerate(s):
        if in_str:
            cur.append(ch)
            if ch == '"' and s[i - 1] != "\\":
                in_str = False
            continue
        if ch == '"':
            in_str = True
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur))
    return [p.strip() for p in parts]


def matching(s, open_at):
    """Index of the bracket closing the one at `open_at`."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    depth, in_str = 0, False
    for i in range(open_at, len(s)):
        ch = s[i]
        if in_str:
            if ch == '"' and s[i - 1] != "\\":
                in_str = False
            continue
        if ch == '"':
            in_str = True
        elif ch in pairs:
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced")


class Sites:
    def __init__(self):
        self.sites = []

    def add(self, program, path, line, kind, text):
        n = len(self.sites) + 1
        self.sites.append({"id": n, "program": program, "file": os.path.relpath(path, TREE),
                           "line": line, "kind": kind, "check": " ".join(text.split())[:160]})
        return n


def line_of(src, at):
    return src.count("\n", 0, at) + 1


def instrument_macros(src, program, path, sites):
    out, i = [], 0
    pat = re.compile(r"\b(require|require_keys_eq|require_keys_neq)!\(")
    while True:
        m = pat.search(src, i)
        if not m:
            out.append(src[i:])
            break
        # skip comments
        line_start = src.rfind("\n", 0, m.start()) + 1
        if src[line_start:m.start()].lstrip().startswith("//"):
            out.append(src[i:m.end()])
            i = m.end()
            continue
        open_at = m.end() - 1
        close = matching(src, open_at)
        args = split_args(src[open_at + 1:close])
        kind = m.group(1)
        if not ((kind == "require" and len(args) == 2) or
                (kind in ("require_keys_eq", "require_keys_neq") and len(args) == 3)):
            out.append(src[i:m.end()])
            i = m.end()
            continue
        n = sites.add(program, path, line_of(src, m.start()), kind, src[m.start():close + 1])
        out.append(src[i:m.start()])
        if kind == "require":
            out.append(f"require!(crate::depin_mutant({n}) || ({args[0]}), {args[1]})")
        else:
            # the error may be a value, which `require!` cannot take: keep the macro and
            # make the compared keys pass when the mutant is on
            a, b, err = args
            passing = f"({a})" if kind == "require_keys_eq" else \
                "anchor_lang::prelude::Pubkey::new_from_array([0xa5; 32])"
            out.append(f"{kind}!({a}, if crate::depin_mutant({n}) {{ {passing} }} else {{ {b} }}, {err})")
        i = close + 1
    return "".join(out)


def instrument_constraints(src, program, path, sites):
    """Anchor `#[account(...)]` clauses on the field that follows each attribute."""
    out, i = [], 0
    pat = re.compile(r"#\[account\(")
    while True:
        m = pat.search(src, i)
        if not m:
            out.append(src[i:])
            break
        open_at = m.end() - 1
        close = matching(src, open_at)
        field = re.search(r"pub\s+(\w+)\s*:", src[close:])
        args = split_args(src[open_at + 1:close])
        name = field.group(1) if field else None
        new_args = []
        for a in args:
            mm = re.match(r"(constraint|has_one|address|owner)\s*=\s*(.+?)\s*@\s*(.+)$", a, re.S)
            if not mm or name is None:
                new_args.append(a)
                continue
            kind, expr, err = mm.groups()
            if kind == "constraint":
                cond = f"({expr})"
            elif kind == "has_one":
                cond = f"{name}.{expr} == {expr}.key()"
            elif kind == "address":
                cond = f"{name}.key() == ({expr})"
            else:
                cond = f"*{name}.to_account_info().owner == ({expr})"
            n = sites.add(program, path, line_of(src, m.start()), kind, f"{name}: {a}")
            new_args.append(f"constraint = crate::depin_mutant({n}) || {cond} @ {err}")
        out.append(src[i:m.start()])
        out.append("#[account(" + ", ".join(new_args) + ")")
        i = close + 1
    return "".join(out)


def copy_tree():
    if os.path.exists(TREE):
        shutil.rmtree(TREE)
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout.split("\n")
    for f in files:
        if not f or not os.path.isfile(os.path.join(ROOT, f)):
            continue
        dst = os.path.join(TREE, f)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, f), dst)


def instrument(only):
    sites = Sites()
    for program in PROGRAMS:
        src_dir = os.path.join(TREE, "programs", program, "src")
        for dirpath, _, names in sorted(os.walk(src_dir)):
            for nm in sorted(names):
                if not nm.endswith(".rs"):
                    continue
                p = os.path.join(dirpath, nm)
                src = open(p).read()
                new = instrument_constraints(instrument_macros(src, program, p, sites),
                                             program, p, sites)
                if new != src:
                    open(p, "w").write(new)
        lib = os.path.join(src_dir, "lib.rs")
        open(lib, "a").write(MUTANT_FN)
    return [s for s in sites.sites if only is None or s["program"] == only]


def build():
    env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(ROOT, "target"))
    r = subprocess.run(
        ["cargo", "test", "-p", "depin-tests", "--no-run", "--message-format=json", "-q"],
        cwd=TREE, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr[-4000:])
        for line in r.stdout.splitlines():
            try:
                msg = json.loads(line)
            except json.JSONDecodeError:
                continue
            if msg.get("reason") == "compiler-message" and \
                    msg["message"].get("level") == "error":
                sys.stderr.write(msg["message"].get("rendered", "") + "\n")
        raise SystemExit("the instrumented tree does not build")
    bins = {}
    for line in r.stdout.splitlines():
        try:
            msg = json.loads(line)
        except json.JSONDecodeError:
            continue
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") and \
                "test" in msg.get("target", {}).get("kind", []):
            bins[msg["target"]["name"]] = msg["executable"]
    return {k: v for k, v in bins.items() if k not in SKIP}


def run_bin(exe, mutant, timeout):
    env = dict(os.environ, DEPIN_NATIVE="1", RUST_LOG="off")
    env.pop("DEPIN_SBF_DIR", None)
    if mutant is not None:
        env["DEPIN_MUTANT"] = str(mutant)
    try:
        r = subprocess.run([exe, "-q", "--test-threads", "2"], cwd=os.path.join(TREE, "tests"),
                           env=env, capture_output=True, text=True, timeout=timeout)
        return r.returncode == 0, r.stdout + r.stderr
    except subprocess.TimeoutExpired:
        return False, "timeout"


def order(bins, program):
    first = [b for b in FIRST.get(program, []) if b in bins]
    return first + sorted(b for b in bins if b not in first)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=PROGRAMS)
    ap.add_argument("--mutants", help="comma-separated ids")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--timeout", type=int, default=600)
    a = ap.parse_args()
    started = time.time()
    os.makedirs(WORK, exist_ok=True)
    copy_tree()
    sites = instrument(a.only)
    if a.mutants:
        want = {int(x) for x in a.mutants.split(",")}
        sites = [s for s in sites if s["id"] in want]
    if a.limit:
        sites = sites[:a.limit]
    print(f"mutants: {len(sites)}; building the instrumented tree", flush=True)
    bins = build()
    print(f"test binaries: {len(bins)}; baseline", flush=True)
    for name in sorted(bins):
        ok, log = run_bin(bins[name], None, a.timeout)
        if not ok:
            print(log[-3000:])
            raise SystemExit(f"baseline: {name} fails without any mutant")
    results = []
    for s in sites:
        t0 = time.time()
        killed_by = None
        for name in order(bins, s["program"]):
            ok, _ = run_bin(bins[name], s["id"], a.timeout)
            if not ok:
                killed_by = name
                break
        r = dict(s, killed_by=killed_by, seconds=round(time.time() - t0, 1))
        results.append(r)
        state = f"killed by {killed_by}" if killed_by else "SURVIVED"
        print(f"#{s['id']:>3} {s['program']}:{s['file']}:{s['line']} {s['kind']}: {state} "
              f"({r['seconds']} s)", flush=True)
    survivors = [r for r in results if r["killed_by"] is None]
    tests_text = ""
    for dirpath, _, names in os.walk(os.path.join(ROOT, "tests")):
        for nm in names:
            if nm.endswith(".rs"):
                tests_text += open(os.path.join(dirpath, nm)).read()
    for r in survivors:
        # the error the check raises, and whether any test expects it by name: if one does,
        # another check refuses the same input with the same error (a redundant check)
        names = re.findall(r"(?:Error|ErrorCode)::(\w+)", r["check"])
        named = [n for n in names if re.search(r"::" + n + r"\b", tests_text)]
        r["error"] = names[-1] if names else None
        r["tested_error"] = bool(named)
    report = {
        "mutants": len(results),
        "killed": len(results) - len(survivors),
        "survived": len(survivors),
        "seconds": round(time.time() - started),
        "results": results,
    }
    with open(os.path.join(WORK, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(f"\n{report['killed']} of {report['mutants']} killed, {report['survived']} survived, "
          f"{report['seconds']} s")
    for r in survivors:
        why = "its error is tested: another check refuses first" if r.get("tested_error") \
            else "no test expects its error"
        print(f"  survivor #{r['id']} {r['file']}:{r['line']} ({why}) {r['check']}")


if __name__ == "__main__":
    main()
