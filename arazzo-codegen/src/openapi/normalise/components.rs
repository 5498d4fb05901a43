//! Components: those the kept operations reach, and references lifted into them.

use super::*;

impl Normaliser<'_> {
    /// Copies into the pruned document every component it reaches, replacing references to
    /// components that do not exist.
    pub(super) fn components_reached(&mut self, doc: &mut Value) -> Map<String, Value> {
        let mut comps: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
        let mut todo: Vec<(String, String)> = Vec::new();
        let mut dangling: BTreeMap<String, (String, usize)> = BTreeMap::new();
        self.scan(doc, "", &mut todo, &mut dangling);
        if let Some(Value::Object(schemes)) = self
            .raw
            .get("components")
            .and_then(|c| c.get("securitySchemes"))
        {
            comps.insert("securitySchemes".into(), schemes.clone());
        }
        while let Some((kind, name)) = todo.pop() {
            if comps.get(&kind).is_some_and(|m| m.contains_key(&name)) {
                continue;
            }
            let lifted = self
                .lifted
                .get(&(kind.clone(), name.clone()))
                .and_then(|r| lookup(self.raw, r));
            let Some(mut v) = lifted
                .or_else(|| {
                    self.raw
                        .get("components")
                        .and_then(|c| c.get(&kind))
                        .and_then(|k| k.get(&name))
                })
                .cloned()
            else {
                continue;
            };
            let at = source::child(&source::child("/components", &kind), &name);
            self.scan(&mut v, &at, &mut todo, &mut dangling);
            comps.entry(kind).or_default().insert(name, v);
        }
        for (r, (first, count)) in dangling {
            let more = match count {
                0 | 1 => String::new(),
                2 => " (and 1 other place)".to_string(),
                n => format!(" (and {} other places)", n - 1),
            };
            self.change("dangling-ref", &first, format!("`$ref: {r}` points at nothing; it is read as an open schema (any JSON value){more}"));
        }
        comps
            .into_iter()
            .map(|(k, v)| {
                let sorted: BTreeMap<String, Value> = v.into_iter().collect();
                (k, Value::Object(sorted.into_iter().collect()))
            })
            .collect()
    }

    /// The component name for a reference into the middle of one (`#/components/schemas/A/properties/b`
    /// becomes `A_b`), reported once.
    /// Lifts the target of `r`, a reference into the middle of a component, into a component
    /// of `kind` of its own; returns its name.
    pub(super) fn lift(&mut self, r: &str, kind: &str, parts: &[String]) -> String {
        if let Some(((_, name), _)) = self.lifted.iter().find(|(_, from)| *from == r) {
            return name.clone();
        }
        let segments: Vec<&str> = parts[1].split('/').collect();
        let base = format!(
            "{}_{}",
            segments.first().copied().unwrap_or_default(),
            segments.last().copied().unwrap_or_default()
        );
        let exists = |n: &str| {
            self.raw
                .get("components")
                .and_then(|c| c.get(kind))
                .and_then(|k| k.get(n))
                .is_some()
                || self.lifted.contains_key(&(kind.to_string(), n.to_string()))
        };
        let mut name = base.clone();
        let mut k = 2;
        while exists(&name) {
            name = format!("{base}{k}");
            k += 1;
        }
        self.change(
            "structure",
            &format!("/components/{}/{}", parts[0], parts[1]),
            format!("`$ref: {r}` points into another component; what is there is generated as component `{name}` of `components.{kind}`"),
        );
        self.lifted
            .insert((kind.to_string(), name.clone()), r.to_string());
        name
    }

    pub(super) fn scan(
        &mut self,
        v: &mut Value,
        at: &str,
        todo: &mut Vec<(String, String)>,
        dangling: &mut BTreeMap<String, (String, usize)>,
    ) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref").cloned() {
                    let parts: Vec<String> = r
                        .strip_prefix("#/components/")
                        .map(|rest| {
                            rest.splitn(2, '/')
                                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                                .collect()
                        })
                        .unwrap_or_default();
                    let exists = lookup(self.raw, &r).is_some();
                    if at.ends_with("/schema")
                        && parts.len() == 2
                        && parts[0] == "responses"
                        && !parts[1].contains('/')
                        && exists
                    {
                        // A schema that is a response: the schema of that response's body.
                        let body = lookup(self.raw, &r)
                            .and_then(|resp| resp.get("content")?.as_object()?.values().next())
                            .and_then(|media| media.get("schema"))
                            .cloned()
                            .unwrap_or_else(|| Value::Object(Map::new()));
                        self.change("dangling-ref", at, format!("`$ref: {r}` stands for a schema but names a response; the schema of that response's body is read"));
                        *v = body;
                        self.scan(v, at, todo, dangling);
                        return;
                    }
                    if parts.len() == 2 && exists && parts[1].contains('/') {
                        // A reference into the middle of a component: lifted into its own, a
                        // schema when it points at one (`parameters/id/schema`).
                        let kind = lifted_kind(&parts);
                        let name = self.lift(&r, &kind, &parts);
                        m.insert(
                            "$ref".into(),
                            Value::String(format!(
                                "#/components/{kind}/{}",
                                source::escape_token(&name)
                            )),
                        );
                        m.retain(|k, _| k == "$ref");
                        todo.push((kind, name));
                    } else if parts.len() == 2 && exists {
                        todo.push((parts[0].clone(), parts[1].clone()));
                        if m.len() > 1 {
                            let extra: Vec<String> =
                                m.keys().filter(|k| *k != "$ref").cloned().collect();
                            m.retain(|k, _| k == "$ref");
                            self.change("ref-siblings", at, format!("`$ref` has sibling fields ({}), which OpenAPI 3.0 ignores; they are dropped", extra.join(", ")));
                        }
                    } else {
                        let e = dangling
                            .entry(r.clone())
                            .or_insert((source::child(at, "$ref"), 0));
                        e.1 += 1;
                        m.clear();
                    }
                    return;
                }
                // In a `properties` map, `example`, `examples` and `x-…` are property names.
                let properties = at.ends_with("/properties");
                for (k, child) in m.iter_mut() {
                    let value = k.starts_with("x-") || k == "example" || k == "examples";
                    if value && !properties {
                        continue;
                    }
                    let here = source::child(at, k);
                    self.scan(child, &here, todo, dangling);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    let here = source::index(at, i);
                    self.scan(item, &here, todo, dangling);
                }
            }
            _ => {}
        }
    }
}
