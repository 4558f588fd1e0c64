;;; Reading user memory: do-user-array over a u32 array and over structs,
;;; do-user-ptrs over an array of pointers (NULLs skipped), all with
;;; probe-read-user from the runner's own memory while it makes a syscall.

(defstruct two (x u32) (y u32))

(defglobal target-pid u32 0 :section :rodata)
(defglobal array-addr u64 0 :section :rodata)
(defglobal ptrs-addr u64 0 :section :rodata)
(defconstant +nr-getppid+ #+arm64 173 #-arm64 110)

(defmap out :type :array :key-size 4 :value-size 8 :max-entries 4)

(defprog walk (:type :raw-tracepoint :section "raw_tp/sys_enter")
  (when (and (= (ctx args 1) +nr-getppid+)
             (= (>> (get-current-pid-tgid) 32) target-pid))
    (let ((sum 0) (pairs 0) (pointed 0) (seen 0))
      ;; the first 6 of the 8 values (count 6, at most 8)
      (do-user-array (v u32 array-addr 6 8)
        (incf sum v))
      ;; as structs of two u32s: (1 2) (3 4) (5 6) (7 8)
      (do-user-array (p two array-addr 4 4 :index i)
        (incf pairs (* (two-x p) (+ i 1))))
      ;; pointers: 2, 4, NULL, 8, NULL
      (do-user-ptrs (ptr ptrs-addr 5 5)
        (let ((buf (struct-alloc 8)))
          (probe-read-user buf 4 ptr)
          (incf pointed (load u32 buf 0))
          (incf seen)))
      (setf (getmap out 0) sum
            (getmap out 1) pairs
            (getmap out 2) pointed
            (getmap out 3) seen)))
  0)

;; global: target-pid = $PID
;; global: array-addr = $ARRAY
;; global: ptrs-addr = $PTRS
;; attach: walk
;; trigger: getppid
;; map: out 0 -> 21
;; 1*1 + 3*2 + 5*3 + 7*4
;; map: out 1 -> 50
;; map: out 2 -> 14
;; map: out 3 -> 3
