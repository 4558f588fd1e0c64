;;;; The DSL prelude: constants, protocol headers and the macros BPF programs
;;;; are written with (packet guards, ring buffers, process info, user-space
;;;; iteration), plus the userspace side of defstruct.  Loaded into every
;;;; context the DSL compiler is made for.

;;; ---- verdicts and flags ------------------------------------------------

(defconstant XDP_ABORTED 0)
(defconstant XDP_DROP 1)
(defconstant XDP_PASS 2)
(defconstant XDP_TX 3)
(defconstant XDP_REDIRECT 4)
(defconstant TC_ACT_UNSPEC -1)
(defconstant TC_ACT_OK 0)
(defconstant TC_ACT_RECLASSIFY 1)
(defconstant TC_ACT_SHOT 2)
(defconstant TC_ACT_PIPE 3)
(defconstant TC_ACT_STOLEN 4)
(defconstant TC_ACT_QUEUED 5)
(defconstant TC_ACT_REPEAT 6)
(defconstant TC_ACT_REDIRECT 7)
(defconstant SK_DROP 0)
(defconstant SK_PASS 1)
(defconstant BPF_ANY 0)
(defconstant BPF_NOEXIST 1)
(defconstant BPF_EXIST 2)
(defconstant BPF_F_LOCK 4)
(defconstant BPF_F_CURRENT_CPU #xffffffff)
(defconstant BPF_F_NO_PREALLOC 1)
(defconstant BPF_RB_NO_WAKEUP 1)
(defconstant BPF_RB_FORCE_WAKEUP 2)
(defconstant BPF_F_INGRESS 1)
(defconstant NULL 0)

;;; ---- protocols ------------------------------------------------------------

(defconstant +eth-hdr-len+ 14)
(defconstant +ipv4-hdr-len+ 20)
(defconstant +ipv6-hdr-len+ 40)
(defconstant +tcp-hdr-len+ 20)
(defconstant +udp-hdr-len+ 8)
(defconstant +icmp-hdr-len+ 8)
(defconstant +ethertype-ipv4+ #x0800)
(defconstant +ethertype-ipv6+ #x86dd)
(defconstant +ethertype-arp+ #x0806)
(defconstant +ethertype-vlan+ #x8100)
(defconstant +ip-proto-icmp+ 1)
(defconstant +ip-proto-tcp+ 6)
(defconstant +ip-proto-udp+ 17)
(defconstant +ip-proto-icmpv6+ 58)
(defconstant +tcp-fin+ #x01)
(defconstant +tcp-syn+ #x02)
(defconstant +tcp-rst+ #x04)
(defconstant +tcp-psh+ #x08)
(defconstant +tcp-ack+ #x10)
(defconstant +tcp-urg+ #x20)

;; Multi-byte fields marked :net-order read in host order; addresses and
;; checksums stay in network order (compare them with htonl constants).
(defheader eth
  (dst-mac-hi :offset 0 :type u32)
  (dst-mac-lo :offset 4 :type u16)
  (src-mac-hi :offset 6 :type u32)
  (src-mac-lo :offset 10 :type u16)
  (type :offset 12 :type u16 :net-order t))

(defheader ipv4
  (ver-ihl :offset 0 :type u8)
  (tos :offset 1 :type u8)
  (total-len :offset 2 :type u16 :net-order t)
  (id :offset 4 :type u16 :net-order t)
  (frag-off :offset 6 :type u16 :net-order t)
  (ttl :offset 8 :type u8)
  (protocol :offset 9 :type u8)
  (checksum :offset 10 :type u16)
  (src-addr :offset 12 :type u32)
  (dst-addr :offset 16 :type u32))

(defheader ipv6
  (ver-tc-flow :offset 0 :type u32 :net-order t)
  (payload-len :offset 4 :type u16 :net-order t)
  (nexthdr :offset 6 :type u8)
  (hop-limit :offset 7 :type u8)
  (src-addr-hi :offset 8 :type u64)
  (src-addr-lo :offset 16 :type u64)
  (dst-addr-hi :offset 24 :type u64)
  (dst-addr-lo :offset 32 :type u64))

(defheader tcp
  (src-port :offset 0 :type u16 :net-order t)
  (dst-port :offset 2 :type u16 :net-order t)
  (seq :offset 4 :type u32 :net-order t)
  (ack-seq :offset 8 :type u32 :net-order t)
  (data-off :offset 12 :type u8)
  (flags :offset 13 :type u8)
  (window :offset 14 :type u16 :net-order t)
  (checksum :offset 16 :type u16)
  (urgent :offset 18 :type u16 :net-order t))

(defheader udp
  (src-port :offset 0 :type u16 :net-order t)
  (dst-port :offset 2 :type u16 :net-order t)
  (length :offset 4 :type u16 :net-order t)
  (checksum :offset 6 :type u16))

(defheader icmp
  (type :offset 0 :type u8)
  (code :offset 1 :type u8)
  (checksum :offset 2 :type u16)
  (rest :offset 4 :type u32))

;;; ---- packet guards ----------------------------------------------------------
;;; One bounds check for the whole header stack; too short a packet leaves the
;;; program with the type's pass verdict (XDP_PASS, TC_ACT_OK...), a packet of
;;; another protocol skips the body.

(defmacro with-packet ((data data-end &key (min-len 0)) &body body)
  `(let ((,data (pkt-data))
         (,data-end (pkt-data-end)))
     (when (> (+ ,data ,min-len) ,data-end)
       (return (pass-verdict)))
     ,@body))

(defmacro with-eth ((data data-end) &body body)
  `(with-packet (,data ,data-end :min-len ,+eth-hdr-len+)
     ,@body))

(defmacro with-ipv4 ((data data-end ip) &body body)
  `(with-packet (,data ,data-end :min-len ,(+ +eth-hdr-len+ +ipv4-hdr-len+))
     (when (= (eth-type ,data) ,+ethertype-ipv4+)
       (let ((,ip (+ ,data ,+eth-hdr-len+)))
         ,@body))))

(defmacro with-ipv6 ((data data-end ip) &body body)
  `(with-packet (,data ,data-end :min-len ,(+ +eth-hdr-len+ +ipv6-hdr-len+))
     (when (= (eth-type ,data) ,+ethertype-ipv6+)
       (let ((,ip (+ ,data ,+eth-hdr-len+)))
         ,@body))))

(defmacro %with-l4 ((data data-end l4 proto len) &body body)
  (let ((ip (gensym "IP")))
    `(with-packet (,data ,data-end :min-len ,(+ +eth-hdr-len+ +ipv4-hdr-len+ len))
       (when (= (eth-type ,data) ,+ethertype-ipv4+)
         (let ((,ip (+ ,data ,+eth-hdr-len+)))
           (when (= (ipv4-protocol ,ip) ,proto)
             (let ((,l4 (+ ,ip ,+ipv4-hdr-len+)))
               ,@body)))))))

(defmacro with-tcp ((data data-end tcp) &body body)
  `(%with-l4 (,data ,data-end ,tcp ,+ip-proto-tcp+ ,+tcp-hdr-len+) ,@body))

(defmacro with-udp ((data data-end udp) &body body)
  `(%with-l4 (,data ,data-end ,udp ,+ip-proto-udp+ ,+udp-hdr-len+) ,@body))

;; tc programs: the same guards over __sk_buff data, TC_ACT_OK when short.
(defmacro with-tc-packet (spec &body body) `(with-packet ,spec ,@body))
(defmacro with-tc-eth (spec &body body) `(with-eth ,spec ,@body))
(defmacro with-tc-ipv4 (spec &body body) `(with-ipv4 ,spec ,@body))
(defmacro with-tc-ipv6 (spec &body body) `(with-ipv6 ,spec ,@body))
(defmacro with-tc-tcp (spec &body body) `(with-tcp ,spec ,@body))
(defmacro with-tc-udp (spec &body body) `(with-udp ,spec ,@body))

;;; ---- ring buffers and process information -------------------------------------

;; Reserves SIZE bytes, runs BODY with VAR on the record and submits it.  If
;; the reservation fails the body is skipped.  Leaving BODY with return needs
;; (ringbuf-discard VAR 0) first: the verifier insists the record is released.
(defmacro with-ringbuf ((var map size &key (flags 0)) &body body)
  `(let ((,var (ringbuf-reserve ,map ,size ,flags)))
     (when ,var
       ,@body
       (ringbuf-submit ,var 0))))

(defmacro fill-process-info (event &key pid-field tgid-field uid-field timestamp-field comm-field (comm-size 16))
  (let ((forms '()))
    (when (or pid-field tgid-field)
      (let ((id (gensym "ID")))
        (push `(let ((,id (get-current-pid-tgid)))
                 ,@(when pid-field `((setf (,pid-field ,event) (cast u32 (>> ,id 32)))))
                 ,@(when tgid-field `((setf (,tgid-field ,event) (cast u32 ,id)))))
              forms)))
    (when uid-field
      (push `(setf (,uid-field ,event) (cast u32 (get-current-uid-gid))) forms))
    (when timestamp-field
      (push `(setf (,timestamp-field ,event) (ktime-get-ns)) forms))
    (when comm-field
      (push `(get-current-comm (,comm-field ,event) ,comm-size) forms))
    `(progn ,@(nreverse forms))))

;;; ---- user memory ---------------------------------------------------------------

;; Each non-NULL pointer of a user array of COUNT pointers (at most MAX).
(defmacro do-user-ptrs ((var base count max &key (index (gensym "I"))) &body body)
  (let ((slot (gensym "SLOT")))
    `(let ((,slot (struct-alloc 8)))
       (dotimes (,index ,max)
         (when (>= ,index ,count) (break))
         (probe-read-user ,slot 8 (+ ,base (* ,index 8)))
         (let ((,var (load u64 ,slot 0)))
           (when ,var ,@body))))))

;; Each element of a user array of TYPE (a scalar or a defstruct): VAR is the
;; value, or a stack copy of the struct.
(defmacro do-user-array ((var type base count max &key (index (gensym "I"))) &body body)
  (let ((size (sizeof type))
        (buf (gensym "BUF")))
    (if (member (symbol-name type) '("U8" "U16" "U32" "U64" "I8" "I16" "I32" "I64") :test #'string=)
        `(let ((,buf (struct-alloc 8)))
           (dotimes (,index ,max)
             (when (>= ,index ,count) (break))
             (probe-read-user ,buf ,size (+ ,base (* ,index ,size)))
             (let ((,var (load ,type ,buf 0)))
               ,@body)))
        `(let ((,var (struct-alloc ,size)))
           (dotimes (,index ,max)
             (when (>= ,index ,count) (break))
             (probe-read-user ,var ,size (+ ,base (* ,index ,size)))
             ,@body)))))

;;; ---- kfuncs every program may call ----------------------------------------------

(defkfunc bpf-rcu-read-lock () void)
(defkfunc bpf-rcu-read-unlock () void)
(defkfunc bpf-task-from-pid ((pid i32)) (ptr task_struct) :acquire :ret-null)
(defkfunc bpf-task-release ((task (ptr task_struct))) void :release)
(defkfunc bpf-cgroup-from-id ((id u64)) (ptr cgroup) :acquire :ret-null)
(defkfunc bpf-cgroup-release ((cgrp (ptr cgroup))) void :release)

;;; ---- the userspace side of defstruct -----------------------------------------------
;;; A record is a vector: its name, then the fields in order.

(defun %le-get (bytes off size signed)
  (let ((v 0))
    (dotimes (i size)
      (setf v (logior v (ash (aref bytes (+ off i)) (* 8 i)))))
    (if (and signed (logbitp (1- (* 8 size)) v))
        (- v (ash 1 (* 8 size)))
        v)))

(defun %le-put (bytes off size value)
  (dotimes (i size)
    (setf (aref bytes (+ off i)) (ldb (byte 8 (* 8 i)) value)))
  bytes)

(defun %field-get (bytes start off size signed count blob)
  (cond (blob (subseq bytes (+ start off) (+ start off (* size (max count 1)))))
        ((plusp count)
         (let ((v (make-array count)))
           (dotimes (i count v)
             (setf (aref v i) (%le-get bytes (+ start off (* i size)) size signed)))))
        (t (%le-get bytes (+ start off) size signed))))

(defun %field-put (bytes off size count blob value)
  (cond ((null value) bytes)
        ((or blob (plusp count))
         (dotimes (i (min (length value) (if blob (* size (max count 1)) count)) bytes)
           (if blob
               (setf (aref bytes (+ off i)) (elt value i))
               (%le-put bytes (+ off (* i size)) size (elt value i)))))
        (t (%le-put bytes off size value))))

(defmacro %define-struct-record (name size fields)
  (let* ((rec (intern (format nil "~a-RECORD" (symbol-name name))))
         (maker (intern (format nil "MAKE-~a" (symbol-name rec))))
         (decoder (intern (format nil "DECODE-~a" (symbol-name name))))
         (encoder (intern (format nil "ENCODE-~a" (symbol-name name))))
         (names (mapcar #'first fields))
         (forms '()))
    (let ((i 0))
      (dolist (f names)
        (incf i)
        (let ((acc (intern (format nil "~a-~a" (symbol-name rec) (symbol-name f))))
              (k i))
          (push `(defun ,acc (r) (aref r ,k)) forms)
          (push `(defsetf ,acc (r) (v) (list 'setf (list 'aref r ,k) v)) forms))))
    `(progn
       (defun ,maker (&key ,@names) (vector ',rec ,@names))
       (defun ,decoder (bytes &optional (start 0))
         (vector ',rec
                 ,@(mapcar (lambda (f)
                             (destructuring-bind (n off sz sg cnt blob) f
                               (declare (ignore n))
                               `(%field-get bytes start ,off ,sz ,sg ,cnt ,blob)))
                           fields)))
       (defun ,encoder (r)
         (let ((bytes (make-array ,size :initial-element 0)))
           ,@(let ((i 0))
               (mapcar (lambda (f)
                         (incf i)
                         (destructuring-bind (n off sz sg cnt blob) f
                           (declare (ignore n sg))
                           `(%field-put bytes ,off ,sz ,cnt ,blob (aref r ,i))))
                       fields))
           bytes))
       ,@(nreverse forms)
       ',rec)))
