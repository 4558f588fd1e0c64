;;; A finite session for the no-file test: a struct-keyed hash map, a
;;; global, a tracepoint program on this process's getppid() calls, a
;;; reload, reads of the map, then a normal exit.

(defconstant +me+ (sb-posix:getpid))
(defstruct nf-key (pid u32) (version u32))
(defglobal nf-calls u64)
(bpf:map nf-seen :type :hash :key-type nf-key :value-size 8 :max-entries 4)

(defmacro nf-body (version)
  `(when (= (>> (get-current-pid-tgid) 32) +me+)
     (setf nf-calls (+ nf-calls 1))
     (let ((k (make-nf-key)))
       (setf (nf-key-pid k) +me+ (nf-key-version k) ,version)
       (setf (getmap nf-seen k) nf-calls))))

(bpf:prog nf-tick (:type :tracepoint :section "tracepoint/syscalls/sys_enter_getppid")
  (nf-body 1)
  0)
(bpf:attach nf-tick)
(dotimes (i 2) (sb-posix:getppid))
(bpf:prog nf-tick (:type :tracepoint :section "tracepoint/syscalls/sys_enter_getppid")
  (nf-body 2)
  0)
(dotimes (i 3) (sb-posix:getppid))
(format t "calls: ~a ~a~%"
        (bpf:map-ref nf-seen (make-nf-key-record :pid +me+ :version 1))
        (bpf:map-ref nf-seen (make-nf-key-record :pid +me+ :version 2)))
