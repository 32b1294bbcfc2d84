//! Instance attributes: an instance keeps its values beside its class's shared list of
//! names (CPython's key-sharing dicts, PEP 412), so ten thousand instances of a class do
//! not each carry a dict object and a key per attribute. Something that needs the
//! `__dict__` as an object of its own (`vars(obj)`, a deletion out of order, an attribute
//! set out of the shared order) gets one, made from the values, and the instance keeps it.

use super::object::{Attrs, Dict, DictKey, ExcField, Instance, Object};
use super::{ObjRef, Value, Vm};
use compact_str::CompactString;

/// The most names a class's instances share: an instance that goes past them keeps a dict
/// (a class whose instances gather attributes without bound would make every lookup long).
const MAX_SHARED_NAMES: usize = 64;

/// Where an instance attribute is: an index into its class's shared names (the instance
/// is in split form), or into the instance's own dict.
#[derive(Clone, Copy)]
pub enum AttrSlot {
    Shared(usize),
    Own(usize),
}

/// Whether two attribute names are equal, compared inline: a lookup compares the name with
/// each shared name in turn, and a call of the C library's memcmp for each cost more than
/// the comparison (a tenth of the asyncio benchmark's time went to the scans).
#[inline]
fn same_name(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let word = |s: &[u8], at: usize| u64::from_ne_bytes(s[at..at + 8].try_into().unwrap_or([0; 8]));
    // The first and the last eight bytes, which overlap for names shorter than 16.
    if word(a, 0) != word(b, 0) || word(a, n - 8) != word(b, n - 8) {
        return false;
    }
    n <= 16 || a[8..n - 8] == b[8..n - 8]
}

/// How an instance holds its attributes.
enum Layout {
    /// The values of the first `len` shared names of `class`.
    Split { class: ObjRef, len: usize },
    /// A dict of its own.
    Own(ObjRef),
}

impl Vm {
    /// How the instance `r` holds its attributes (None: not an instance).
    fn layout(&self, r: ObjRef) -> Option<Layout> {
        match self.heap.get(r) {
            Object::Instance(Instance {
                class,
                attrs: Attrs::Split(values),
                ..
            }) => Some(Layout::Split {
                class: *class,
                len: values.len(),
            }),
            Object::Instance(Instance {
                attrs: Attrs::Dict(d),
                ..
            }) => Some(Layout::Own(*d)),
            _ => None,
        }
    }

    /// A new instance of a class, with an empty `__dict__` (in split form, with room for
    /// the names its class's instances have had).
    pub fn new_instance(&mut self, class: ObjRef) -> Value {
        let room = match self.heap.get(class) {
            Object::Class(c) => c.attr_names.borrow().len(),
            _ => 0,
        };
        self.alloc(Object::Instance(Instance {
            class,
            attrs: Attrs::Split(Vec::with_capacity(room)),
            payload: None,
            exception: None,
        }))
    }

    /// An attribute in an instance's `__dict__`, read without making a dict.
    pub fn attr_of_instance(&self, v: Value, name: &str) -> Option<Value> {
        let Object::Instance(inst) = self.heap.get(v.as_obj()?) else {
            return None;
        };
        match &inst.attrs {
            Attrs::Split(values) => {
                let i = self.shared_index(inst.class, name, values.len())?;
                Some(values[i])
            }
            Attrs::Dict(d) => self.dict_get_str(*d, name),
        }
    }

    /// `attr_of_instance` for reading one name from many instances (a timer heap's due
    /// times): where the name sits among the shared names is found once per class.
    pub fn attr_of_instance_cached(
        &self,
        v: Value,
        name: &str,
        cache: &mut Option<(ObjRef, usize)>,
    ) -> Option<Value> {
        if let Some((class, index)) = *cache
            && let Object::Instance(Instance {
                class: c,
                attrs: Attrs::Split(values),
                ..
            }) = self.heap.get(v.as_obj()?)
            && *c == class
            && let Some(found) = values.get(index)
        {
            return Some(*found);
        }
        let Object::Instance(inst) = self.heap.get(v.as_obj()?) else {
            return None;
        };
        if let Attrs::Split(values) = &inst.attrs
            && let Some(i) = self.shared_index(inst.class, name, values.len())
        {
            *cache = Some((inst.class, i));
            return Some(values[i]);
        }
        self.attr_of_instance(v, name)
    }

    /// Where `name` is among the first `len` shared names of `class`.
    pub fn shared_index(&self, class: ObjRef, name: &str, len: usize) -> Option<usize> {
        let Object::Class(c) = self.heap.get(class) else {
            return None;
        };
        c.attr_names
            .borrow()
            .iter()
            .take(len)
            .position(|n| same_name(n.as_bytes(), name.as_bytes()))
    }

    /// How many names the instances of `class` share so far.
    pub fn shared_names(&self, class: ObjRef) -> usize {
        match self.heap.get(class) {
            Object::Class(c) => c.attr_names.borrow().len(),
            _ => 0,
        }
    }

    /// Sets an attribute in an instance's `__dict__` (nothing for a value that is not an
    /// instance).
    pub fn set_instance_attr(&mut self, v: Value, name: &str, value: Value) {
        if let Some(r) = v.as_obj() {
            self.store_instance_attr(r, name, value, None);
        }
    }

    /// `set_instance_attr` for the inline cache of STORE_ATTR: where the value went, and
    /// the key object `interned` gives for the name when it goes into a dict.
    pub fn store_instance_attr(
        &mut self,
        r: ObjRef,
        name: &str,
        value: Value,
        interned: Option<Value>,
    ) -> Option<AttrSlot> {
        let (class, len) = match self.layout(r)? {
            Layout::Split { class, len } => (class, len),
            Layout::Own(d) => {
                let (index, _) = self.dict_set_name(d, name, interned, value);
                return Some(AttrSlot::Own(index));
            }
        };
        let Some(index) = self.place_shared(class, name, len) else {
            let d = self.own_dict(r)?;
            let (index, _) = self.dict_set_name(d, name, interned, value);
            return Some(AttrSlot::Own(index));
        };
        if let Object::Instance(Instance {
            attrs: Attrs::Split(values),
            ..
        }) = self.heap.get_mut(r)
        {
            match values.get_mut(index) {
                Some(slot) => *slot = value,
                None => values.push(value),
            }
        }
        Some(AttrSlot::Shared(index))
    }

    /// The index `name` takes among the shared names of `class` for an instance holding
    /// `len` values: its value's, or the next one (the name is added to the class's when
    /// this instance is the first to get so far). None: the instance needs a dict of its
    /// own (the name comes out of the shared order, or there are too many).
    fn place_shared(&self, class: ObjRef, name: &str, len: usize) -> Option<usize> {
        let Object::Class(c) = self.heap.get(class) else {
            return None;
        };
        let mut names = c.attr_names.borrow_mut();
        if let Some(i) = names
            .iter()
            .take(len)
            .position(|n| same_name(n.as_bytes(), name.as_bytes()))
        {
            return Some(i);
        }
        match names.get(len) {
            Some(next) => (next == name).then_some(len),
            None if len < MAX_SHARED_NAMES => {
                names.push(CompactString::from(name));
                Some(len)
            }
            None => None,
        }
    }

    /// Deletes an attribute from an instance's `__dict__`: whether it was there.
    pub fn del_instance_attr(&mut self, v: Value, name: &str) -> bool {
        let Some(r) = v.as_obj() else {
            return false;
        };
        let (class, len) = match self.layout(r) {
            Some(Layout::Split { class, len }) => (class, len),
            Some(Layout::Own(d)) => return self.dict_del_str(d, name),
            None => return false,
        };
        match self.shared_index(class, name, len) {
            None => false,
            // The last value set goes without breaking the shared order.
            Some(i) if i + 1 == len => {
                if let Object::Instance(Instance {
                    attrs: Attrs::Split(values),
                    ..
                }) = self.heap.get_mut(r)
                {
                    values.pop();
                }
                true
            }
            Some(_) => match self.own_dict(r) {
                Some(d) => self.dict_del_str(d, name),
                None => false,
            },
        }
    }

    /// The `__dict__` of an instance as a dict object: made from its shared values the
    /// first time it is asked for; the instance keeps it from then on, so it is live.
    pub fn instance_dict(&mut self, v: Value) -> Option<ObjRef> {
        self.own_dict(v.as_obj()?)
    }

    fn own_dict(&mut self, r: ObjRef) -> Option<ObjRef> {
        let (class, values) = match self.heap.get(r) {
            Object::Instance(Instance {
                attrs: Attrs::Dict(d),
                ..
            }) => return Some(*d),
            Object::Instance(Instance {
                class,
                attrs: Attrs::Split(values),
                ..
            }) => (*class, values.clone()),
            _ => return None,
        };
        let names: Vec<CompactString> = match self.heap.get(class) {
            Object::Class(c) => c.attr_names.borrow()[..values.len()].to_vec(),
            _ => Vec::new(),
        };
        let mut dict = Dict::with_capacity_and_hasher(values.len(), Default::default());
        for (name, value) in names.into_iter().zip(values) {
            let key = self.intern(&name);
            dict.insert(DictKey::Str(name), (key, value));
        }
        let d = self.heap.alloc(Object::Dict(dict));
        if let Object::Instance(inst) = self.heap.get_mut(r) {
            inst.attrs = Attrs::Dict(d);
        }
        Some(d)
    }

    /// Gives an instance `d` as its `__dict__` (`obj.__dict__ = d`, a threading.local
    /// changing threads).
    pub fn replace_instance_dict(&mut self, r: ObjRef, d: ObjRef) {
        if let Object::Instance(inst) = self.heap.get_mut(r) {
            inst.attrs = Attrs::Dict(d);
        }
    }

    /// `del obj.__dict__`: the instance starts again with an empty namespace.
    pub fn clear_instance_dict(&mut self, r: ObjRef) {
        if let Object::Instance(inst) = self.heap.get_mut(r) {
            inst.attrs = Attrs::Split(Vec::new());
        }
    }
}

impl Vm {
    /// One of an exception's fields kept outside its `__dict__`; None until it is set.
    pub fn exception_field(&self, exc: Value, field: ExcField) -> Option<Value> {
        match self.heap.get(exc.as_obj()?) {
            Object::Instance(Instance {
                exception: Some(fields),
                ..
            }) => fields[field as usize],
            _ => None,
        }
    }

    pub fn set_exception_field(&mut self, exc: Value, field: ExcField, v: Value) {
        if let Some(r) = exc.as_obj()
            && let Object::Instance(inst) = self.heap.get_mut(r)
        {
            let fields = inst.exception.get_or_insert_with(|| Box::new([None; 4]));
            fields[field as usize] = Some(v);
        }
    }

    /// The items of an exception's `args` (none until they are set).
    pub fn exception_args(&self, exc: Value) -> Vec<Value> {
        self.exception_field(exc, ExcField::Args)
            .map(|a| self.tuple_items(a))
            .unwrap_or_default()
    }
}
