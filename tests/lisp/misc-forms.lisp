;;; Less common forms in one tracing program: kernel-load and core-load of
;;; the current task, ld-btf-id, the -ptr map operations with a struct key,
;;; setmap/delmap, explicit ringbuf reserve/discard/submit, 64-bit byte
;;; swaps, ash, min/max, lognot, bit-or and case.

;; requires: btf

(import-kernel-struct task_struct pid tgid)

(defstruct pair (a u32) (b u32))

(defglobal target-pid u32 0 :section :rodata)
(defconstant +nr-getppid+ #+arm64 173 #-arm64 110)

(defmap out :type :array :key-size 4 :value-size 8 :max-entries 12)
(defmap by-pair :type :hash :key-type pair :key-size 8 :value-size 8 :max-entries 8)
(defmap scratch :type :hash :key-size 4 :value-size 8 :max-entries 8)
(defmap rb :type :ringbuf :max-entries 4096)

(defprog misc (:type :raw-tracepoint :section "raw_tp/sys_enter")
  (let ((task (get-current-task)))
    (when (and (= (ctx args 1) +nr-getppid+)
               (= (core-load u32 task task_struct tgid) target-pid))
      ;; the same field three ways: CO-RE probe read, accessor, raw offset
      (setf (getmap out 0) (task-struct-pid task)
            (getmap out 1) (ld-btf-id task_struct))
      ;; struct keys through the -ptr operations
      (let ((k (make-pair))
            (v (struct-alloc 8)))
        (setf (pair-a k) 1 (pair-b k) 2)
        (store u64 v 0 77)
        (map-update-ptr by-pair k v BPF_ANY)
        (when-let ((p (map-lookup-ptr by-pair k)))
          (setf (getmap out 2) (load u64 p 0)))
        (map-delete-ptr by-pair k)
        (setf (getmap out 3) (if (map-lookup-ptr by-pair k) 1 0)))
      ;; setmap / delmap
      (setmap scratch 5 55)
      (setf (getmap out 4) (getmap scratch 5))
      (delmap scratch 5)
      (setf (getmap out 5) (getmap scratch 5))
      ;; a discarded and a submitted record
      (let ((r1 (ringbuf-reserve rb 8 0)))
        (when r1 (ringbuf-discard r1 0)))
      (let ((r2 (ringbuf-reserve rb 8 0)))
        (when r2
          (store u64 r2 0 (htonll #x0102030405060708))
          (ringbuf-submit r2 0)))
      ;; arithmetic odds and ends
      (let ((x u32 (ctx args 1)))
        (setf (getmap out 6) (logand (lognot x) #xff)
              (getmap out 7) (+ (ash x 4) (ash x -1))
              (getmap out 8) (bit-or (max x 200) (min x 3))
              (getmap out 9) (case x
                               ((1 2) 10)
                               (110 20)
                               (173 20)
                               (otherwise 30))
              (getmap out 10) (ntohll (htonll 1234))))))
  0)

;; global: target-pid = $PID
;; attach: misc
;; trigger: getppid
;; map: out 0 -> $PID
;; map: out 1 -> >0
;; map: out 2 -> 77
;; map: out 3 -> 0
;; map: out 4 -> 55
;; map: out 5 -> 0
;; ringbuf: rb = 1 u64@0=0x0807060504030201
;; map: out 9 -> 20
;; map: out 10 -> 1234
