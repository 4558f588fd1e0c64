;;; User macros with backquote: a macro that writes macros (nested
;;; backquote), compile-time helper functions, and a table of well-known
;;; ports turned into a classifier at compile time.

(defmap class-counts :type :array :key-size 4 :value-size 8 :max-entries 8)

;; compile-time Lisp: a table and a helper function
(defparameter *services* '((ssh 22) (dns 53) (http 80) (https 443)))
(defun service-port (name) (second (assoc name *services*)))

;; a macro-writing macro: (define-port-checker web-port-p http https)
;; defines (web-port-p tcp) testing the TCP destination port
(defmacro define-port-checker (name &rest services)
  `(defmacro ,name (tcp)
     `(or ,@(mapcar (lambda (p) `(= (tcp-dst-port ,tcp) ,p))
                    ',(mapcar #'service-port services)))))

(define-port-checker web-port-p http https)
(define-port-checker admin-port-p ssh)

(defmacro count-class (n)
  `(incf (getmap class-counts ,n)))

(defmacro drop-when (test &body counts)
  `(when ,test ,@counts (return XDP_DROP)))

(defprog classify (:type :xdp)
  (with-tcp (data data-end tcp)
    (drop-when (admin-port-p tcp) (count-class 1))
    (cond ((web-port-p tcp) (count-class 2))
          ((= (tcp-dst-port tcp) (service-port 'dns)) (count-class 3))
          (t (count-class (length *services*)))))
  XDP_PASS)

;; run: classify pkt=tcp:dport=22 -> 1
;; run: classify pkt=tcp:dport=80 -> 2
;; run: classify pkt=tcp:dport=443 -> 2
;; run: classify pkt=tcp:dport=53 -> 2
;; run: classify pkt=tcp:dport=1234 -> 2
;; map: class-counts 1 -> 1
;; map: class-counts 2 -> 2
;; map: class-counts 3 -> 1
;; map: class-counts 4 -> 1
