;;; Process events: on getppid() a tracepoint fills a
;;; struct with fill-process-info (pid, uid, timestamp, comm) and send it
;;; through a ring buffer; only the target process is reported (its comm
;;; starts with "d", the runner being dsl_corpus).

;; requires: tracefs

(defstruct proc-event
  (pid u32)
  (uid u32)
  (ts u64)
  (comm (array u8 16))
  (kind u32)
  (pad u32))

(defmap events :type :ringbuf :max-entries 8192)
(defglobal target-pid u32 0 :section :rodata)

(defmacro report (kind)
  `(when (= (>> (get-current-pid-tgid) 32) target-pid)
     (with-ringbuf (ev events (sizeof proc-event))
       (fill-process-info ev
         :pid-field proc-event-pid
         :uid-field proc-event-uid
         :timestamp-field proc-event-ts
         :comm-field proc-event-comm-ptr)
       (setf (proc-event-kind ev) ,kind
             (proc-event-pad ev) 0))))

(defprog on-getppid (:type :tracepoint :section "tracepoint/syscalls/sys_enter_getppid")
  (report 1)
  0)

;; global: target-pid = $PID
;; attach: on-getppid
;; trigger: getppid
;; ringbuf: events >= 1 u32@0=$PID u32@4=0 u32@32=1 u8@16=0x64
