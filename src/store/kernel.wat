;; The index query's kernels: a query's signature against many stored signatures, and its
;; shingle set against stored shingle sets as they decode (codec.ts's delta + varint bytes).
;; Source of src/store/kernel-wasm.ts; a test (tests/index-store.test.ts) checks that the
;; generated file is this module, and writes it again when run with NEARDUP_WRITE_WASM=1:
;;   NEARDUP_WRITE_WASM=1 npx vitest run tests/index-store.test.ts -t kernel
;;
;; Why WebAssembly: a query runs once in a fresh process, where JavaScript loops over uint32
;; values start in the interpreter (which boxes every value over 2^31) and wait for the
;; optimizing compiler; this module is compiled before its first call. The caller keeps at
;; least 8 readable bytes after any encoded set (the decoder reads a word at a time), and keeps
;; bytes [0, 256) free for the decoder.
(module
  (memory (export "memory") 1)

  ;; agreements(q, sigs, n, k, out): for each of the n signatures of k uint32 values side by
  ;; side at sigs, how many positions equal signature q's, as an int32 at out + 4c.
  (func (export "agreements") (param $q i32) (param $sigs i32) (param $n i32) (param $k i32) (param $out i32)
    (local $end i32) (local $i i32) (local $same i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $signature
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $same (i32.const 0))
        (local.set $i (i32.const 0))
        (block $compared
          (loop $position
            (br_if $compared (i32.ge_u (local.get $i) (local.get $k)))
            (local.set $same (i32.add (local.get $same)
              (i32.eq
                (i32.load (i32.add (local.get $q) (i32.shl (local.get $i) (i32.const 2))))
                (i32.load (i32.add (local.get $sigs) (i32.shl (local.get $i) (i32.const 2)))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $position)))
        (i32.store (local.get $out) (local.get $same))
        (local.set $sigs (i32.add (local.get $sigs) (i32.shl (local.get $k) (i32.const 2))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $signature))))

  ;; shared(a, ea, b, eb, nb, needed): how many values the ascending, distinct uint32 values at
  ;; bytes [a, ea) share with the nb values encoded at bytes [b, eb) (the first value as is,
  ;; then the gaps between neighbours, each an LEB128 varint). Exact when it is at least
  ;; `needed`; the count stops early, under `needed`, once what is left of either set cannot
  ;; bring it up to `needed`. -1 when the bytes do not hold nb ascending values.
  ;; B is decoded 64 values at a time into bytes [0, 256) (kept free by the caller), and each
  ;; chunk merged with A without a branch on the values' order (a merge of two random sets
  ;; mispredicts every other branch); what is left is tested after each chunk.
  (func $shared (export "shared") (param $a i32) (param $ea i32) (param $b i32) (param $eb i32) (param $nb i32) (param $needed i32) (result i32)
    (local $left i32) (local $v i32) (local $w i32) (local $d i32) (local $end i32) (local $x i32) (local $y i32)
    (local $shared i32) (local $p i32) (local $ce i32) (local $q i32) (local $restA i32) (local $restB i32)
    (local.set $left (local.get $nb))
    (block $done
      (loop $chunk
        ;; B decoded to its end, or A passed: the count is final
        (br_if $done (i32.eqz (local.get $left)))
        (br_if $done (i32.ge_u (local.get $a) (local.get $ea)))
        ;; decode min(left, 64) values into [0, ce)
        (local.set $ce (i32.shl (select (local.get $left) (i32.const 64) (i32.lt_u (local.get $left) (i32.const 64))) (i32.const 2)))
        (local.set $p (i32.const 0))
        (loop $decode
          ;; one varint from the word at b: its last byte is the first without the high bit
          (local.set $w (i32.load align=1 (local.get $b)))
          (local.set $end (i32.and (i32.xor (local.get $w) (i32.const -1)) (i32.const 0x80808080)))
          (if (i32.eqz (local.get $end))
            (then
              ;; five bytes: the fifth holds the top 4 bits
              (local.set $x (i32.load8_u offset=4 (local.get $b)))
              (if (i32.gt_u (local.get $x) (i32.const 0x0f)) (then (return (i32.const -1))))
              (local.set $d (i32.or
                (i32.or
                  (i32.or (i32.and (local.get $w) (i32.const 0x7f)) (i32.and (i32.shr_u (local.get $w) (i32.const 1)) (i32.const 0x3f80)))
                  (i32.or (i32.and (i32.shr_u (local.get $w) (i32.const 2)) (i32.const 0x1fc000)) (i32.and (i32.shr_u (local.get $w) (i32.const 3)) (i32.const 0xfe00000))))
                (i32.shl (local.get $x) (i32.const 28))))
              (local.set $b (i32.add (local.get $b) (i32.const 5))))
            (else
              ;; 1 to 4 bytes: keep the bytes up to the end bit (bit 8n-1), then their 7-bit groups
              (local.set $end (i32.ctz (local.get $end)))
              (local.set $w (i32.and (local.get $w) (i32.sub (i32.shl (i32.const 2) (local.get $end)) (i32.const 1))))
              (local.set $d (i32.or
                (i32.or (i32.and (local.get $w) (i32.const 0x7f)) (i32.and (i32.shr_u (local.get $w) (i32.const 1)) (i32.const 0x3f80)))
                (i32.or (i32.and (i32.shr_u (local.get $w) (i32.const 2)) (i32.const 0x1fc000)) (i32.and (i32.shr_u (local.get $w) (i32.const 3)) (i32.const 0xfe00000)))))
              (local.set $b (i32.add (local.get $b) (i32.shr_u (i32.add (local.get $end) (i32.const 1)) (i32.const 3))))))
          ;; a varint past the end, a zero gap after the first value, or a value past 2^32: not ours
          (if (i32.gt_u (local.get $b) (local.get $eb)) (then (return (i32.const -1))))
          (if (i32.and (i32.eqz (local.get $d)) (i32.or (i32.ne (local.get $p) (i32.const 0)) (i32.ne (local.get $left) (local.get $nb))))
            (then (return (i32.const -1))))
          (local.set $v (i32.add (local.get $v) (local.get $d)))
          (if (i32.lt_u (local.get $v) (local.get $d)) (then (return (i32.const -1))))
          (i32.store (local.get $p) (local.get $v))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (br_if $decode (i32.lt_u (local.get $p) (local.get $ce))))
        (local.set $left (i32.sub (local.get $left) (i32.shr_u (local.get $ce) (i32.const 2))))
        ;; merge: the lower side moves on (both when equal), an equal pair is counted
        (local.set $q (i32.const 0))
        (block $merged
          (loop $merge
            (br_if $merged (i32.or (i32.ge_u (local.get $a) (local.get $ea)) (i32.ge_u (local.get $q) (local.get $ce))))
            (local.set $x (i32.load (local.get $a)))
            (local.set $y (i32.load (local.get $q)))
            (local.set $shared (i32.add (local.get $shared) (i32.eq (local.get $x) (local.get $y))))
            (local.set $a (i32.add (local.get $a) (i32.shl (i32.le_u (local.get $x) (local.get $y)) (i32.const 2))))
            (local.set $q (i32.add (local.get $q) (i32.shl (i32.le_u (local.get $y) (local.get $x)) (i32.const 2))))
            (br $merge)))
        ;; what is left of either set bounds what can still be shared
        (local.set $restA (i32.shr_u (i32.sub (local.get $ea) (local.get $a)) (i32.const 2)))
        (local.set $restB (i32.add (local.get $left) (i32.shr_u (i32.sub (local.get $ce) (local.get $q)) (i32.const 2))))
        (br_if $done (i32.lt_u
          (i32.add (local.get $shared) (select (local.get $restA) (local.get $restB) (i32.lt_u (local.get $restA) (local.get $restB))))
          (local.get $needed)))
        (br $chunk)))
    (local.get $shared))

  ;; shared_many(a, ea, table, n): shared() for n encoded sets, one call: entry c of the table
  ;; (at table + 16c) holds b, eb, nb and needed as int32s; its count replaces `needed`.
  (func (export "shared_many") (param $a i32) (param $ea i32) (param $table i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $table) (i32.shl (local.get $n) (i32.const 4))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $table) (local.get $end)))
        (i32.store offset=12 (local.get $table)
          (call $shared (local.get $a) (local.get $ea)
            (i32.load (local.get $table)) (i32.load offset=4 (local.get $table))
            (i32.load offset=8 (local.get $table)) (i32.load offset=12 (local.get $table))))
        (local.set $table (i32.add (local.get $table) (i32.const 16)))
        (br $next)))))

