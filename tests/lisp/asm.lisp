;;; Hand-written instructions: asm in llvm-objdump syntax with registers
;;; bound to Lisp values (:in) and copied back (:out), an encoded
;;; (OPCODE DST SRC OFF IMM) instruction, and a helper call by number.

(defmap out :type :array :key-size 4 :value-size 8 :max-entries 4)

(defprog hand-coded (:type :xdp)
  (let ((len (- (ctx data-end) (ctx data)))
        (mixed 0)
        (swapped 0))
    ;; mixed = (len * 3 + 7) ^ 0x55
    (asm (:in ((r1 len))) (:out ((r0 mixed)))
         "r0 = r1"
         "r0 *= 3"
         "r0 += 7"
         "r0 ^= 0x55")
    ;; a 32-bit byte swap, encoded: BPF_ALU64 | BPF_END (bswap), imm 32
    (asm (:in ((r2 #x11223344))) (:out ((r2 swapped)))
         (#xd7 2 0 0 32))
    (setf (getmap out 0) mixed
          (getmap out 1) swapped)
    ;; call 7 is get_prandom_u32; its result comes back in r0
    (setf (getmap out 2) (if (< (asm "call 7") #x100000000) 1 0)))
  XDP_PASS)

;; run: hand-coded pkt=eth -> 2
;; map: out 0 -> 238
;; map: out 1 -> 0x44332211
;; map: out 2 -> 1
