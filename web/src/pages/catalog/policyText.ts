import type { TFunction } from 'i18next';

/**
 * An ODRL 2.2 policy (JSON-LD compact form, as the catalog stores it) in plain words: the permissions,
 * prohibitions and obligations, each with its conditions and duties. Whatever is not known is shown as written.
 */

export interface PlainRule {
  /** "Permitted: use the data" */
  text: string;
  conditions: string[];
  duties: string[];
}

export interface PlainPolicy {
  permissions: PlainRule[];
  prohibitions: PlainRule[];
  obligations: PlainRule[];
}

type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (x: Json): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const arr = (x: Json): Json[] => (x === undefined || x === null ? [] : Array.isArray(x) ? x : [x]);

/** The local name of a term: `odrl:use`, `http://www.w3.org/ns/odrl/2/use`, `{"@id": ...}` → `use`. */
export function localName(x: Json): string {
  if (isObj(x)) {
    if ('@id' in x) return localName(x['@id']);
    if ('rdf:value' in x) return localName(x['rdf:value']);
    if ('@value' in x) return localName(x['@value']);
    return '';
  }
  const s = String(x ?? '');
  if (s.startsWith('urn:')) return s;
  const m = /[#/:]([^#/:]+)$/.exec(s);
  return m && /^(odrl|https?|dpv)/.test(s) ? m[1] : s;
}

const value = (x: Json): Json => (isObj(x) && '@value' in x ? x['@value'] : x);

export interface Vocab {
  lang: string;
  /** The name of an organisation from `urn:uuid:<id>`, when known. */
  orgName?: (urn: string) => string | undefined;
}

export function plainPolicy(policy: Record<string, unknown>, t: TFunction, v: Vocab): PlainPolicy {
  const list = (items: string[], conj: 'and' | 'or') =>
    new Intl.ListFormat(v.lang, { type: conj === 'and' ? 'conjunction' : 'disjunction' }).format(items);
  const num = (n: number) => new Intl.NumberFormat(v.lang).format(n);
  const date = (x: Json) => {
    const s = String(value(x));
    const d = new Date(s);
    if (Number.isNaN(d.getTime())) return s;
    return new Intl.DateTimeFormat(v.lang, { dateStyle: 'long', timeZone: 'UTC' }).format(d);
  };
  const duration = (x: Json) => {
    const s = String(value(x));
    const m =
      /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
        s,
      );
    if (!m) return s;
    const units = ['year', 'month', 'week', 'day', 'hour', 'minute', 'second'];
    const parts = units.flatMap((unit, i) =>
      m[i + 1]
        ? [
            new Intl.NumberFormat(v.lang, { style: 'unit', unit, unitDisplay: 'long' }).format(
              Number(m[i + 1]),
            ),
          ]
        : [],
    );
    return parts.length ? list(parts, 'and') : s;
  };
  const purpose = (x: Json) => {
    const k = localName(x);
    return t(`catalog.policy.purposes.${k}` as 'catalog.policy.purposes.research', {
      defaultValue: k.replace(/[-_]/g, ' '),
    });
  };
  const party = (x: Json) => {
    const k = localName(x);
    return v.orgName?.(k) ?? k;
  };
  const area = (x: Json) => {
    if (isObj(x) && ('type' in x || 'coordinates' in x)) return t('catalog.dataset.definedArea');
    if (isObj(x) && 'name' in x) return String(x.name);
    return localName(x) || t('catalog.dataset.definedArea');
  };
  const action = (x: Json) => {
    const k = localName(x);
    return t(`catalog.policy.actions.${k}` as 'catalog.policy.actions.use', { defaultValue: k });
  };

  function constraint(c: Json): string {
    if (!isObj(c)) return String(c);
    for (const [op, key] of [
      ['and', 'all'],
      ['or', 'any'],
      ['xone', 'xone'],
      ['andSequence', 'sequence'],
    ] as const) {
      const inner = c[op] ?? c[`odrl:${op}`];
      if (inner !== undefined) {
        const items = arr(isObj(inner) && '@list' in inner ? inner['@list'] : inner).map(constraint);
        return t(`catalog.policy.${key}`, { list: items.join(' ; ') });
      }
    }
    const left = localName(c.leftOperand);
    const op = localName(c.operator);
    const right = c.rightOperand;
    const values = arr(isObj(right) && '@list' in right ? right['@list'] : right);
    switch (left) {
      case 'purpose': {
        const names = values.map(purpose);
        if (op === 'neq' || op === 'isNoneOf')
          return t('catalog.policy.purposeNot', { list: list(names, 'or') });
        if (op === 'isAllOf') return t('catalog.policy.purposeAll', { list: list(names, 'and') });
        return t('catalog.policy.purpose', { list: list(names, 'or') });
      }
      case 'dateTime': {
        const d = date(values[0]);
        const key = { lt: 'before', lteq: 'until', gt: 'after', gteq: 'from', eq: 'on', neq: 'notOn' }[op];
        // A bound at the very end of a day ("< 2027-12-31T23:59:59Z") reads better as "until that day".
        const endOfDay = op === 'lt' && /T23:59:59/.test(String(value(values[0])));
        if (key)
          return t(`catalog.policy.${endOfDay ? 'until' : key}` as 'catalog.policy.until', { date: d });
        break;
      }
      case 'elapsedTime': {
        const d = duration(values[0]);
        if (op === 'lt' || op === 'lteq') return t('catalog.policy.durationMax', { duration: d });
        if (op === 'gt' || op === 'gteq') return t('catalog.policy.durationMin', { duration: d });
        if (op === 'eq') return t('catalog.policy.durationEq', { duration: d });
        break;
      }
      case 'count': {
        const n = Number(value(values[0]));
        if (Number.isFinite(n)) {
          const key = {
            lt: 'countBelow',
            lteq: 'countMax',
            gt: 'countAbove',
            gteq: 'countMin',
            eq: 'countEq',
          }[op];
          if (key) return t(`catalog.policy.${key}` as 'catalog.policy.countMax', { n: num(n) });
        }
        break;
      }
      case 'spatial': {
        const names = values.map(area);
        if (op === 'neq' || op === 'isNoneOf')
          return t('catalog.policy.outside', { list: list(names, 'or') });
        return t('catalog.policy.within', { list: list(names, 'or') });
      }
      case 'recipient': {
        const names = values.map(party);
        if (op === 'neq' || op === 'isNoneOf')
          return t('catalog.policy.recipientNot', { list: list(names, 'or') });
        return t('catalog.policy.recipient', { list: list(names, 'or') });
      }
      case 'payAmount': {
        const n = Number(value(values[0]));
        const unit = localName(c.unit);
        let amount = String(value(values[0]));
        if (Number.isFinite(n)) {
          amount = /^[A-Z]{3}$/.test(unit)
            ? new Intl.NumberFormat(v.lang, { style: 'currency', currency: unit }).format(n)
            : `${num(n)}${unit ? ` ${unit}` : ''}`;
        }
        if (op === 'gt' || op === 'gteq') return t('catalog.policy.payMin', { amount });
        if (op === 'lt' || op === 'lteq') return t('catalog.policy.payMax', { amount });
        return t('catalog.policy.pay', { amount });
      }
    }
    return t('catalog.policy.generic', {
      left,
      operator: op,
      right: values.map((x) => localName(x) || JSON.stringify(x)).join(', '),
    });
  }

  const constraintsOf = (r: Obj): string[] => {
    const out = arr(r.constraint ?? r['odrl:constraint']).map(constraint);
    // Refinements of the action narrow it the same way.
    const act = r.action;
    for (const a of arr(act)) if (isObj(a)) out.push(...arr(a.refinement).map(constraint));
    return out;
  };

  function duty(d: Json): string {
    if (!isObj(d)) return action(d);
    const k = localName(arr(d.action)[0]);
    const base =
      {
        attribute: t('catalog.policy.dutyAttribute'),
        compensate: t('catalog.policy.dutyCompensate'),
        inform: t('catalog.policy.dutyInform'),
        delete: t('catalog.policy.dutyDelete'),
        anonymize: t('catalog.policy.dutyAnonymize'),
      }[k] ?? t('catalog.policy.dutyGeneric', { action: action(k) });
    const cs = constraintsOf(d);
    return cs.length ? `${base} (${cs.join(', ')})` : base;
  }

  const rule =
    (key: 'permitted' | 'prohibited' | 'obligation') =>
    (r: Json): PlainRule => {
      if (!isObj(r))
        return { text: t(`catalog.policy.${key}`, { action: action(r) }), conditions: [], duties: [] };
      const actions = arr(r.action).map(action);
      return {
        text: t(`catalog.policy.${key}`, { action: list(actions, 'and') }),
        conditions: constraintsOf(r),
        duties: arr(r.duty ?? r['odrl:duty']).map(duty),
      };
    };

  return {
    permissions: arr(policy.permission ?? policy['odrl:permission']).map(rule('permitted')),
    prohibitions: arr(policy.prohibition ?? policy['odrl:prohibition']).map(rule('prohibited')),
    obligations: arr(policy.obligation ?? policy['odrl:obligation']).map(rule('obligation')),
  };
}

/** The purposes a policy's permissions accept (`purpose` eq/isA/isAnyOf), to offer them in a request. */
export function policyPurposes(policy: Record<string, unknown> | undefined): string[] {
  if (!policy) return [];
  const out = new Set<string>();
  const walk = (c: Json) => {
    if (!isObj(c)) return;
    for (const op of ['and', 'or', 'xone', 'andSequence']) if (c[op]) arr(c[op]).forEach(walk);
    if (localName(c.leftOperand) === 'purpose' && ['eq', 'isA', 'isAnyOf'].includes(localName(c.operator))) {
      const r = c.rightOperand;
      for (const x of arr(isObj(r) && '@list' in r ? r['@list'] : r)) out.add(localName(x));
    }
  };
  for (const p of arr(policy.permission)) if (isObj(p)) arr(p.constraint).forEach(walk);
  return [...out];
}
