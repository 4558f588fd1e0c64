;;; ffi-call-tracker.lisp — count libffi's ffi_call() by program and signature
;;;
;;;   sudo whistler run examples/ffi-call-tracker.lisp [/path/to/libffi.so.8]
;;;
;;; A uprobe on ffi_call reads the ffi_cif it is given (return type, argument
;;; count, argument types) with probe reads and counts calls in a hash map
;;; keyed by a defstruct: the process name and the signature.  Ctrl-C prints
;;; the table.  The BPF side, its loading and the report are this one file:
;;; nothing is written to disk.

;; struct ffi_cif { ffi_abi abi; unsigned nargs; ffi_type **arg_types;
;;                  ffi_type *rtype; ... }
(defstruct ffi-cif (abi u32) (nargs u32) (arg-types u64) (rtype u64))
;; struct _ffi_type { size_t size; unsigned short alignment, type; ... }
(defstruct ffi-type (size u64) (alignment u16) (type-code u16))

(defstruct stats-key
  (comm (array u8 16))
  (arg-types (array u8 16))   ; FFI_TYPE_* codes, #xff past nargs
  (nargs u16)
  (rtype u8)
  (abi u8)
  (pad u32))

(defconstant +max-args+ 16)

(defparameter *ffi-type-names*
  #("void" "int" "float" "double" "longdouble" "u8" "s8" "u16" "s16"
    "u32" "s32" "u64" "s64" "struct" "ptr" "complex"))

(defun ffi-type-name (code)
  (if (< code (length *ffi-type-names*)) (aref *ffi-type-names* code) "?"))

(defun ffi-abi-name (abi)
  (case abi (2 "unix64") (3 "win64") (4 "gnuw64") (otherwise "?")))

;; "comm" and "rtype(arg, arg) [abi]" of a key read back from the map
(defun describe-key (bytes)
  (let* ((key (decode-stats-key bytes))
         (comm-bytes (stats-key-record-comm key))
         (comm (map 'string #'code-char
                    (subseq comm-bytes 0 (or (position 0 comm-bytes) 16))))
         (n (min (stats-key-record-nargs key) +max-args+))
         (args (with-output-to-string (s)
                 (dotimes (i n)
                   (when (plusp i) (write-string ", " s))
                   (write-string (ffi-type-name (aref (stats-key-record-arg-types key) i)) s)))))
    (values comm
            (format nil "~a(~a) [~a]" (ffi-type-name (stats-key-record-rtype key)) args
                    (ffi-abi-name (stats-key-record-abi key))))))

(defun report (stats)
  (let ((entries nil) (key nil))
    (loop
      (let ((next (map-get-next-key stats key)))
        (unless next (return))
        (let ((value (map-lookup stats next)))
          (when value
            (multiple-value-bind (comm sig) (describe-key next)
              (push (list (decode-int-value value) comm sig) entries))))
        (setf key next)))
    (if (null entries)
        (format t "~&No ffi_call events recorded.~%")
        (progn
          (setf entries (sort entries #'> :key #'first))
          (format t "~&~10a  ~16a  ~a~%" "COUNT" "COMM" "SIGNATURE")
          (dolist (e entries)
            (format t "~10d  ~16a  ~a~%" (first e) (second e) (third e)))))))

(defun run-ffi-tracker (libffi)
  (with-bpf-session ()
    (bpf:map stats :type :hash :key-size (sizeof stats-key) :value-size 8 :max-entries 10240)

    (bpf:prog ffi-call-tracker (:type :kprobe :section "uprobe/ffi_call")
      (let ((cif (make-ffi-cif))
            (ft (make-ffi-type))
            (key (make-stats-key)))
        (probe-read-user cif (sizeof ffi-cif) (pt-regs-parm1))
        (probe-read-user ft (sizeof ffi-type) (ffi-cif-rtype cif))
        (setf (stats-key-rtype key) (ffi-type-type-code ft)
              (stats-key-abi key) (ffi-cif-abi cif)
              (stats-key-nargs key) (ffi-cif-nargs cif))
        (get-current-comm (stats-key-comm-ptr key) 16)
        (memset key 16 #xff 16)
        (do-user-ptrs (atype (ffi-cif-arg-types cif) (ffi-cif-nargs cif) +max-args+ :index i)
          (probe-read-user ft (sizeof ffi-type) atype)
          (setf (stats-key-arg-types key i) (ffi-type-type-code ft)))
        (incf (getmap stats key)))
      0)

    (bpf:attach ffi-call-tracker libffi "ffi_call")
    (format *error-output* "Tracing ffi_call in ~a. Ctrl-C prints the table.~%" libffi)
    (handler-case (loop (sleep 1))
      (sb-sys:interactive-interrupt ()
        (report (bpf-session-map 'stats))))))

(run-ffi-tracker (or (second sb-ext:*posix-argv*) "/usr/lib/x86_64-linux-gnu/libffi.so.8"))
