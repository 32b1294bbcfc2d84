//! Sorting with Python's rules, for `list.sort` and `sorted`: stable, with `key` and
//! `reverse`, comparisons through `<` (so a user class's `__lt__` and its errors count),
//! the list's contents frozen while the key function and comparisons run.

use crate::vm::{Args, PyResult, Value, Vm};

/// Sorts values in place with Python's rules (stable; `key`; `reverse`).
pub fn sort_values(
    vm: &mut Vm,
    items: &mut Vec<Value>,
    key: Option<Value>,
    reverse: bool,
) -> PyResult<()> {
    let keys = match key {
        Some(k) => {
            let mut keys = Vec::with_capacity(items.len());
            for v in items.iter() {
                keys.push(vm.call(k, Args::new(vec![*v]))?);
            }
            keys
        }
        None => items.clone(),
    };
    let mut order: Vec<usize> = (0..items.len()).collect();
    let mut err = None;
    let mut less = |a: usize, b: usize| -> bool {
        if err.is_some() {
            return false;
        }
        match vm
            .rich_compare(0, keys[a], keys[b])
            .and_then(|r| vm.truthy(r))
        {
            Ok(t) => t,
            Err(e) => {
                err = Some(e);
                false
            }
        }
    };
    // As CPython: a reverse sort reverses, sorts and reverses back (stability holds).
    if reverse {
        order.reverse();
    }
    if order.len() < 64 {
        // CPython sorts short lists by one natural run plus binary insertion: the same
        // comparisons in the same order, so the first failing one raises the same error
        // ('<' between 'str' and 'int' for [1, 'a', 2]).
        run_and_insertion_sort(&mut order, &mut less);
    } else {
        merge_sort(&mut order, &mut less);
    }
    if reverse {
        order.reverse();
    }
    if let Some(e) = err {
        return Err(e);
    }
    let sorted: Vec<Value> = order.into_iter().map(|i| items[i]).collect();
    *items = sorted;
    Ok(())
}

/// CPython's sort of fewer than 64 items: the natural run at the start (reversed if
/// strictly descending), then binary insertion of each remaining item.
fn run_and_insertion_sort(v: &mut [usize], less: &mut dyn FnMut(usize, usize) -> bool) {
    if v.len() < 2 {
        return;
    }
    let mut run = 2;
    if less(v[1], v[0]) {
        while run < v.len() && less(v[run], v[run - 1]) {
            run += 1;
        }
        v[..run].reverse();
    } else {
        while run < v.len() && !less(v[run], v[run - 1]) {
            run += 1;
        }
    }
    for start in run..v.len() {
        let pivot = v[start];
        let (mut lo, mut hi) = (0, start);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if less(pivot, v[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        v.copy_within(lo..start, lo + 1);
        v[lo] = pivot;
    }
}

fn merge_sort(v: &mut [usize], less: &mut dyn FnMut(usize, usize) -> bool) {
    if v.len() <= 1 {
        return;
    }
    let mid = v.len() / 2;
    merge_sort(&mut v[..mid], less);
    merge_sort(&mut v[mid..], less);
    let mut merged = Vec::with_capacity(v.len());
    let (mut i, mut j) = (0, mid);
    while i < mid && j < v.len() {
        if less(v[j], v[i]) {
            merged.push(v[j]);
            j += 1;
        } else {
            merged.push(v[i]);
            i += 1;
        }
    }
    merged.extend_from_slice(&v[i..mid]);
    merged.extend_from_slice(&v[j..]);
    v.copy_from_slice(&merged);
}
