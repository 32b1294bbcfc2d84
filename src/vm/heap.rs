//! The heap: an arena of object slots with a free list, and a mark-and-sweep collector.
//! Roots are handed in by the VM (frames, globals, the exception being handled), so
//! reference cycles are reclaimed like everything else.

use super::object::Object;
use super::value::{ObjRef, Value};

#[derive(Default, Clone)]
pub struct Heap {
    slots: Vec<Option<Object>>,
    marks: Vec<bool>,
    /// Objects whose finalizer has run (`__del__`, a generator's close): it runs once, and
    /// an object it resurrected is freed at a later collection without running it again.
    finalized: Vec<bool>,
    free: Vec<u32>,
    /// Allocations since the last collection: the VM collects when this passes a threshold.
    pub allocated_since_gc: usize,
    /// Objects that survived the last collection.
    live_after_gc: usize,
    /// gc.disable(): no collection unless asked for (gc.collect()).
    pub automatic_off: bool,
    weakrefs: usize,
    /// While a checkpoint is kept (the explorer): the objects a run changed, to undo.
    pub journal: Option<Box<Journal>>,
}

/// The objects that existed at a checkpoint, as they were before the run since changed
/// them; the heap goes back to the checkpoint by putting them back and dropping whatever
/// was made since. No collection runs while a journal is kept (it would change slots the
/// journal does not see).
#[derive(Clone)]
pub struct Journal {
    /// Slots at the checkpoint: anything past them was made since.
    base: u32,
    /// The first version since the checkpoint of each old slot written.
    saved: Vec<(u32, Option<Object>)>,
    touched: Vec<bool>,
    free: Vec<u32>,
    weakrefs: usize,
    allocated_since_gc: usize,
    live_after_gc: usize,
}

impl Journal {
    /// Slot `i` is about to change: the first time since the checkpoint, keep what it was.
    #[cold]
    #[inline(never)]
    fn before_write(&mut self, i: u32, slots: &[Option<Object>]) {
        let at = i as usize;
        if i < self.base && !self.touched[at] {
            self.touched[at] = true;
            self.saved.push((i, slots[at].clone()));
        }
    }
}

/// Allocations between collections, at least: each collection marks every live object, so
/// waiting for as many allocations as there are live objects keeps the cost per allocation
/// bounded when a program holds a large structure (a list of a million strings). A low
/// floor keeps the slots of a program with few live objects small and in cache: at 200,000
/// the slot table alone grew past 10 MB, and method_calls spent a tenth of its time in
/// page faults for it.
const MIN_ALLOCATIONS_BETWEEN_COLLECTIONS: usize = 50_000;

impl Heap {
    /// Whether enough has been allocated since the last collection for another to pay.
    pub fn wants_collection(&self) -> bool {
        self.allocated_since_gc >= MIN_ALLOCATIONS_BETWEEN_COLLECTIONS.max(self.live_after_gc)
            && !self.automatic_off
    }

    /// Starts a journal: the heap as it is now is a checkpoint `rollback` goes back to.
    pub fn start_journal(&mut self) {
        self.journal = Some(Box::new(Journal {
            base: self.slots.len() as u32,
            saved: Vec::new(),
            touched: vec![false; self.slots.len()],
            free: self.free.clone(),
            weakrefs: self.weakrefs,
            allocated_since_gc: self.allocated_since_gc,
            live_after_gc: self.live_after_gc,
        }));
    }

    /// Puts the heap back as it was when the journal started (which goes on).
    pub fn rollback(&mut self) {
        let Some(mut journal) = self.journal.take() else {
            return;
        };
        for (i, obj) in journal.saved.drain(..) {
            self.slots[i as usize] = obj;
            journal.touched[i as usize] = false;
        }
        let base = journal.base as usize;
        self.slots.truncate(base);
        self.marks.truncate(base);
        self.finalized.truncate(base);
        self.free.clone_from(&journal.free);
        self.weakrefs = journal.weakrefs;
        self.allocated_since_gc = journal.allocated_since_gc;
        self.live_after_gc = journal.live_after_gc;
        self.journal = Some(journal);
    }

    pub fn stop_journal(&mut self) {
        self.journal = None;
    }

    /// Makes the next safe point collect (`wants_collection`), whatever was allocated.
    pub fn request_collection(&mut self) {
        self.allocated_since_gc = usize::MAX / 2;
    }

    /// Weak references alive after the last collection, or made since.
    pub fn weakrefs(&self) -> usize {
        self.weakrefs
    }

    /// An empty heap with room for a million objects reserved: address space only until
    /// used, and a growing program never copies its slots (and holds both copies) until
    /// it passes that.
    pub fn new() -> Heap {
        let mut heap = Heap::default();
        heap.slots.reserve_exact(1 << 20);
        heap.marks.reserve_exact(1 << 20);
        heap.finalized.reserve_exact(1 << 20);
        heap
    }

    pub fn alloc(&mut self, obj: Object) -> ObjRef {
        self.allocated_since_gc += 1;
        if let Object::WeakRef { .. } = obj {
            self.weakrefs += 1;
        }
        match self.free.pop() {
            Some(i) => {
                if let Some(journal) = &mut self.journal {
                    journal.before_write(i, &self.slots);
                }
                self.slots[i as usize] = Some(obj);
                self.finalized[i as usize] = false;
                ObjRef(i)
            }
            None => {
                self.slots.push(Some(obj));
                self.marks.push(false);
                self.finalized.push(false);
                ObjRef((self.slots.len() - 1) as u32)
            }
        }
    }

    pub fn get(&self, r: ObjRef) -> &Object {
        self.slots[r.0 as usize]
            .as_ref()
            .expect("a live handle points at a live object")
    }

    pub fn get_mut(&mut self, r: ObjRef) -> &mut Object {
        if let Some(journal) = &mut self.journal {
            journal.before_write(r.0, &self.slots);
        }
        self.slots[r.0 as usize]
            .as_mut()
            .expect("a live handle points at a live object")
    }

    pub fn contains(&self, r: ObjRef) -> bool {
        self.slots.get(r.0 as usize).is_some_and(Option::is_some)
    }

    /// Every live object with its handle, in slot order.
    pub fn objects(&self) -> impl Iterator<Item = (ObjRef, &Object)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, slot)| Some((ObjRef(i as u32), slot.as_ref()?)))
    }

    /// Slots ever allocated: the heap's high-water mark.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Number of live objects.
    pub fn live(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    /// Marks everything reachable from `roots`, frees the rest. Before freeing: weak
    /// references to what is not reachable are cleared (those with a callback are listed),
    /// and unreachable objects that `needs_finalizer` picks (and whose finalizer has not run)
    /// are kept, with all they reach, and listed, for the VM to finalize (PEP 442's order).
    pub fn collect(
        &mut self,
        roots: impl IntoIterator<Item = Value>,
        needs_finalizer: impl Fn(&Heap, &Object) -> bool,
    ) -> Collected {
        if self.journal.is_some() {
            // A checkpoint is kept: nothing is freed until it goes.
            self.allocated_since_gc = 0;
            return Collected {
                freed: 0,
                finalize: Vec::new(),
                weakref_callbacks: Vec::new(),
            };
        }
        self.mark(roots.into_iter().filter_map(Value::as_obj).collect());
        let mut weakref_callbacks = Vec::new();
        for i in 0..self.slots.len() {
            if !self.marks[i] {
                continue;
            }
            if let Some(Object::WeakRef { target, callback }) = &self.slots[i]
                && let Some(t) = *target
                && !self.marks[t.0 as usize]
            {
                let has_callback = *callback != Value::None;
                if let Some(Object::WeakRef { target, .. }) = &mut self.slots[i] {
                    *target = None;
                }
                if has_callback {
                    weakref_callbacks.push(ObjRef(i as u32));
                }
            }
        }
        let finalize: Vec<ObjRef> = (0..self.slots.len())
            .filter(|&i| !self.marks[i] && !self.finalized[i])
            .filter(|&i| {
                self.slots[i]
                    .as_ref()
                    .is_some_and(|obj| needs_finalizer(self, obj))
            })
            .map(|i| ObjRef(i as u32))
            .collect();
        for r in &finalize {
            self.finalized[r.0 as usize] = true;
        }
        self.mark(finalize.clone());
        let freed = self.sweep();
        Collected {
            freed,
            finalize,
            weakref_callbacks,
        }
    }

    fn mark(&mut self, mut stack: Vec<ObjRef>) {
        while let Some(r) = stack.pop() {
            let i = r.0 as usize;
            if self.marks[i] {
                continue;
            }
            self.marks[i] = true;
            if let Some(obj) = &self.slots[i] {
                obj.trace(&mut |v| {
                    if let Value::Obj(child) = v {
                        stack.push(child);
                    }
                });
            }
        }
    }

    fn sweep(&mut self) -> usize {
        let mut freed = 0;
        self.weakrefs = 0;
        for i in 0..self.slots.len() {
            if self.marks[i] {
                self.marks[i] = false;
                if let Some(Object::WeakRef { .. }) = self.slots[i] {
                    self.weakrefs += 1;
                }
            } else if self.slots[i].is_some() {
                self.slots[i] = None;
                self.free.push(i as u32);
                freed += 1;
            }
        }
        self.allocated_since_gc = 0;
        self.live_after_gc = self.slots.len() - self.free.len();
        freed
    }
}

/// What a collection did besides freeing: objects to finalize, weak references whose
/// callbacks are due.
pub struct Collected {
    pub freed: usize,
    pub finalize: Vec<ObjRef>,
    pub weakref_callbacks: Vec<ObjRef>,
}
