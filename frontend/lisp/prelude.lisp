;;; prelude.lisp -- the standard macros and functions of Whistler's Lisp that
;;; are easier to write in Lisp than in C: iteration, CASE and friends, the
;;; SETF machinery (places, DEFSETF, DEFINE-SETF-EXPANDER), conditions sugar.
;;; Loaded into every context before user code; LOOP is in loop.lisp.

;;; ---- iteration (only special forms below this point) ----

(defmacro dolist ((var list &optional result) &body body)
  (let ((tail (gensym "LIST")) (top (gensym "TOP")) (end (gensym "END")))
    `(block nil
       (let ((,tail ,list) (,var nil))
         (tagbody
            ,top
            (unless (consp ,tail) (go ,end))
            (setq ,var (car ,tail))
            ,@body
            (setq ,tail (cdr ,tail))
            (go ,top)
            ,end)
         (setq ,var nil)
         ,result))))

(defmacro dotimes ((var count &optional result) &body body)
  (let ((n (gensym "COUNT")) (top (gensym "TOP")) (end (gensym "END")))
    `(block nil
       (let ((,n ,count) (,var 0))
         (tagbody
            ,top
            (unless (< ,var ,n) (go ,end))
            ,@body
            (setq ,var (1+ ,var))
            (go ,top)
            ,end)
         ,result))))

(defmacro prog1 (first &body body)
  (let ((g (gensym)))
    `(let ((,g ,first)) ,@body ,g)))

(defmacro prog2 (first second &body body)
  `(progn ,first (prog1 ,second ,@body)))

(defun system::pairs (list)
  (let ((out nil))
    (tagbody
     next
       (when list
         (unless (consp (cdr list))
           (error "odd number of arguments: ~S has no value" (car list)))
         (setq out (cons (cons (car list) (car (cdr list))) out))
         (setq list (cdr (cdr list)))
         (go next)))
    (nreverse out)))

(defmacro psetq (&rest pairs)
  (let ((bindings nil) (sets nil))
    (dolist (p (system::pairs pairs))
      (let ((g (gensym)))
        (setq bindings (cons (list g (cdr p)) bindings))
        (setq sets (cons (list 'setq (car p) g) sets))))
    `(let ,(nreverse bindings) ,@(nreverse sets) nil)))

(defun system::expand-do (binder stepper vars test result body)
  (let ((top (gensym "TOP")) (end (gensym "END")) (steps nil) (inits nil))
    (dolist (v vars)
      (if (consp v)
          (progn
            (setq inits (cons (list (car v) (car (cdr v))) inits))
            (when (cdr (cdr v))
              (setq steps (cons (car (cdr (cdr v))) (cons (car v) steps)))))
          (setq inits (cons v inits))))
    `(block nil
       (,binder ,(nreverse inits)
         (tagbody
            ,top
            (when ,test (go ,end))
            ,@body
            ,@(when steps `((,stepper ,@(nreverse steps))))
            (go ,top)
            ,end)
         (progn ,@result)))))

(defmacro do (vars (test &rest result) &body body)
  (system::expand-do 'let 'psetq vars test result body))

(defmacro do* (vars (test &rest result) &body body)
  (system::expand-do 'let* 'setq vars test result body))

(defmacro prog (vars &body body)
  `(block nil (let ,vars (tagbody ,@body))))

(defmacro prog* (vars &body body)
  `(block nil (let* ,vars (tagbody ,@body))))

;;; ---- dispatch ----

(defun system::case-clauses (key clauses what)
  (let ((out nil) (all nil))
    (dolist (clause clauses)
      (unless (consp clause)
        (error "~S: malformed clause ~S" what clause))
      (let ((keys (car clause)) (body (or (cdr clause) '(nil))))
        (setq out
              (cons (cond ((and (member keys '(t otherwise)) (member what '(case typecase)))
                           `(t ,@body))
                          ((eq what 'typecase) `((typep ,key ',keys) ,@body))
                          ((eq what 'etypecase)
                           (setq all (cons keys all))
                           `((typep ,key ',keys) ,@body))
                          ((listp keys)
                           (setq all (append (reverse keys) all))
                           `((member ,key ',keys) ,@body))
                          (t
                           (setq all (cons keys all))
                           `((eql ,key ',keys) ,@body)))
                    out))))
    (values (nreverse out) (nreverse all))))

(defmacro case (keyform &body clauses)
  (let ((key (gensym "KEY")))
    `(let ((,key ,keyform))
       (cond ,@(system::case-clauses key clauses 'case)))))

(defmacro ecase (keyform &body clauses)
  (let ((key (gensym "KEY")))
    (multiple-value-bind (conds keys) (system::case-clauses key clauses 'ecase)
      `(let ((,key ,keyform))
         (cond ,@conds
               (t (error 'simple-type-error :datum ,key :expected-type '(member ,@keys)
                         :format-control "~S fell through ECASE expression.~%Wanted one of ~S."
                         :format-arguments (list ,key ',keys))))))))

(defmacro ccase (keyform &body clauses)
  `(ecase ,keyform ,@clauses))

(defmacro typecase (keyform &body clauses)
  (let ((key (gensym "KEY")))
    `(let ((,key ,keyform))
       (cond ,@(system::case-clauses key clauses 'typecase)))))

(defmacro etypecase (keyform &body clauses)
  (let ((key (gensym "KEY")))
    (multiple-value-bind (conds types) (system::case-clauses key clauses 'etypecase)
      `(let ((,key ,keyform))
         (cond ,@conds
               (t (error 'simple-type-error :datum ,key :expected-type '(or ,@types)
                         :format-control "~S fell through ETYPECASE expression.~%Wanted one of ~S."
                         :format-arguments (list ,key ',types))))))))

(defmacro ctypecase (keyform &body clauses)
  `(etypecase ,keyform ,@clauses))

;;; ---- small functions ----

(defun constantly (value)
  (lambda (&rest args) (declare (ignore args)) value))

(defun complement (fn)
  (lambda (&rest args) (not (apply fn args))))

(defun system::ignore (&rest args)
  (declare (ignore args))
  nil)

(defun constantp (form &optional env)
  (declare (ignore env))
  (cond ((consp form) (eq (car form) 'quote))
        ((symbolp form) (or (keywordp form) (member form '(t nil))
                            (and (boundp form) (system::constant-symbol-p form))))
        (t t)))

(defun complexp (x) (declare (ignore x)) nil)

(defun packagep (x) (typep x 'package))

(defun get-decoded-time () (decode-universal-time (get-universal-time)))

(defun deposit-field (newbyte bytespec integer)
  (dpb (ash newbyte (- (byte-position bytespec))) bytespec integer))

;;; ---- SETF ----

(defun system::temps-for (forms)
  (let ((out nil))
    (dolist (f forms) (setq out (cons (gensym) out)))
    (nreverse out)))

(defun get-setf-expansion (place &optional env)
  (cond
    ((symbolp place)
     (multiple-value-bind (exp expanded) (macroexpand-1 place env)
       (if (and expanded (not (eq exp place)))
           (get-setf-expansion exp env)
           (let ((store (gensym "NEW")))
             (values nil nil (list store) `(setq ,place ,store) place)))))
    ((and (consp place) (symbolp (car place)))
     (let ((head (car place)))
       (multiple-value-bind (kind obj) (system::%setf-info head)
         (cond
           ((eq kind :expander) (funcall obj place env))
           ((member kind '(:updater :function))
            (let ((temps (system::temps-for (cdr place))) (store (gensym "NEW")))
              (values temps (cdr place) (list store)
                      (cond ((not (eq kind :updater)) `(funcall #'(setf ,head) ,store ,@temps))
                            ((symbolp obj) `(,obj ,@temps ,store))
                            (t `(funcall ',obj ,@temps ,store)))
                      `(,head ,@temps))))
           ((macro-function head env)
            (get-setf-expansion (macroexpand-1 place env) env))
           (t
            (let ((temps (system::temps-for (cdr place))) (store (gensym "NEW")))
              (values temps (cdr place) (list store)
                      `(funcall #'(setf ,head) ,store ,@temps)
                      `(,head ,@temps))))))))
    (t (error "~S is not a valid place for SETF" place))))

(defun system::let-bindings (vars vals)
  (let ((out nil))
    (tagbody
     next
       (when vars
         (setq out (cons (list (car vars) (car vals)) out))
         (setq vars (cdr vars) vals (cdr vals))
         (go next)))
    (nreverse out)))

(defun system::expand-setf (place value env)
  (cond
    ((symbolp place)
     (multiple-value-bind (exp expanded) (macroexpand-1 place env)
       (if (and expanded (not (eq exp place)))
           (system::expand-setf exp value env)
           `(setq ,place ,value))))
    ((and (consp place) (symbolp (car place)))
     (multiple-value-bind (kind obj) (system::%setf-info (car place))
       (if (eq kind :updater)
           ;; the short DEFSETF form: arguments, then the value, in order
           (if (symbolp obj)
               `(,obj ,@(cdr place) ,value)
               `(funcall ',obj ,@(cdr place) ,value))
           (multiple-value-bind (vars vals stores setter) (get-setf-expansion place env)
             (if (cdr stores)
                 `(let* (,@(system::let-bindings vars vals))
                    (multiple-value-bind ,stores ,value ,setter))
                 `(let* (,@(system::let-bindings vars vals) (,(car stores) ,value))
                    ,setter))))))
    (t (error "~S is not a valid place for SETF" place))))

(defmacro setf (&rest pairs &environment env)
  (cond ((null pairs) nil)
        ((null (cdr pairs)) (error "odd number of arguments to SETF"))
        ((cddr pairs)
         `(progn ,@(mapcar (lambda (p) (system::expand-setf (car p) (cdr p) env))
                           (system::pairs pairs))))
        (t (system::expand-setf (car pairs) (cadr pairs) env))))

(defmacro psetf (&rest pairs &environment env)
  (let ((lets nil) (sets nil))
    (dolist (p (system::pairs pairs))
      (multiple-value-bind (vars vals stores setter) (get-setf-expansion (car p) env)
        (setq lets (append lets (system::let-bindings vars vals)
                           (list (list (car stores) (cdr p)))))
        (setq sets (cons setter sets))))
    `(let* ,lets ,@(nreverse sets) nil)))

(defmacro shiftf (&rest places-and-value &environment env)
  (let* ((places (butlast places-and-value))
         (value (car (last places-and-value)))
         (lets nil) (getters nil) (stores nil) (setters nil))
    (dolist (p places)
      (multiple-value-bind (vars vals svars setter getter) (get-setf-expansion p env)
        (setq lets (append lets (system::let-bindings vars vals)))
        (setq getters (cons getter getters) stores (cons (car svars) stores)
              setters (cons setter setters))))
    (setq getters (nreverse getters) stores (nreverse stores) setters (nreverse setters))
    (let ((first (gensym)))
      `(let* (,@lets (,first ,(car getters))
              ,@(system::let-bindings stores (append (cdr getters) (list value))))
         ,@setters
         ,first))))

(defmacro rotatef (&rest places)
  (when places
    `(progn (shiftf ,@places ,(car places)) nil)))

(defmacro incf (place &optional (delta 1) &environment env)
  (if (and (symbolp place) (not (nth-value 1 (macroexpand-1 place env))))
      `(setq ,place (+ ,place ,delta))
      (multiple-value-bind (vars vals stores setter getter) (get-setf-expansion place env)
        `(let* (,@(system::let-bindings vars vals) (,(car stores) (+ ,getter ,delta)))
           ,setter))))

(defmacro decf (place &optional (delta 1) &environment env)
  (if (and (symbolp place) (not (nth-value 1 (macroexpand-1 place env))))
      `(setq ,place (- ,place ,delta))
      (multiple-value-bind (vars vals stores setter getter) (get-setf-expansion place env)
        `(let* (,@(system::let-bindings vars vals) (,(car stores) (- ,getter ,delta)))
           ,setter))))

(defmacro push (item place &environment env)
  (if (and (symbolp place) (not (nth-value 1 (macroexpand-1 place env))))
      `(setq ,place (cons ,item ,place))
      (let ((g (gensym "ITEM")))
        (multiple-value-bind (vars vals stores setter getter) (get-setf-expansion place env)
          `(let* ((,g ,item) ,@(system::let-bindings vars vals)
                  (,(car stores) (cons ,g ,getter)))
             ,setter)))))

(defmacro pushnew (item place &rest keys &environment env)
  (if (and (symbolp place) (not (nth-value 1 (macroexpand-1 place env))))
      `(setq ,place (adjoin ,item ,place ,@keys))
      (let ((g (gensym "ITEM")))
        (multiple-value-bind (vars vals stores setter getter) (get-setf-expansion place env)
          `(let* ((,g ,item) ,@(system::let-bindings vars vals)
                  (,(car stores) (adjoin ,g ,getter ,@keys)))
             ,setter)))))

(defmacro pop (place &environment env)
  (if (and (symbolp place) (not (nth-value 1 (macroexpand-1 place env))))
      `(prog1 (car ,place) (setq ,place (cdr ,place)))
      (let ((g (gensym "LIST")))
        (multiple-value-bind (vars vals stores setter getter) (get-setf-expansion place env)
          `(let* (,@(system::let-bindings vars vals) (,g ,getter))
             (prog1 (car ,g)
               (let ((,(car stores) (cdr ,g))) ,setter)))))))

(defmacro remf (place indicator &environment env)
  (let ((found (gensym "FOUND")))
    (multiple-value-bind (vars vals stores setter getter) (get-setf-expansion place env)
      `(let* (,@(system::let-bindings vars vals))
         (multiple-value-bind (,(car stores) ,found) (system::%remf ,getter ,indicator)
           ,setter
           ,found)))))

(defun system::strip-environment (lambda-list)
  "Returns LAMBDA-LIST without &environment VAR, and VAR."
  (let ((out nil) (env nil))
    (tagbody
     next
       (when (consp lambda-list)
         (if (eq (car lambda-list) '&environment)
             (setq env (cadr lambda-list) lambda-list (cddr lambda-list))
             (setq out (cons (car lambda-list) out) lambda-list (cdr lambda-list)))
         (go next)))
    (values (nreverse out) env)))

(defmacro define-setf-expander (access-fn lambda-list &body body)
  (let ((place (gensym "PLACE")) (env (gensym "ENV")))
    (multiple-value-bind (ll env-var) (system::strip-environment lambda-list)
      `(progn
         (system::%set-setf-expander
          ',access-fn
          (lambda (,place ,env)
            (declare (ignorable ,env))
            (let ((,(or env-var (gensym "E")) ,env))
              (destructuring-bind ,ll (cdr ,place) ,@body))))
         ',access-fn))))

(defmacro defsetf (access-fn &rest rest)
  (if (and rest (symbolp (car rest)) (car rest))
      `(progn (system::%defsetf ',access-fn ',(car rest)) ',access-fn)
      (let ((lambda-list (car rest)) (stores (cadr rest)) (body (cddr rest))
            (place (gensym "PLACE")) (env (gensym "ENV")))
        `(progn
           (system::%set-setf-expander
            ',access-fn
            (lambda (,place ,env)
              (declare (ignore ,env))
              (let ((temps (system::temps-for (cdr ,place)))
                    (store-vars (system::temps-for ',stores)))
                (values temps (cdr ,place) store-vars
                        (apply (lambda (,@stores ,@lambda-list) ,@body)
                               (append store-vars temps))
                        (cons ',access-fn temps)))))
           ',access-fn))))

(define-setf-expander getf (place indicator &optional default &environment env)
  (multiple-value-bind (vars vals stores setter getter) (get-setf-expansion place env)
    (let ((itemp (gensym "IND")) (dtemp (gensym "DEF")) (store (gensym "NEW")))
      (values `(,@vars ,itemp ,dtemp)
              `(,@vals ,indicator ,default)
              (list store)
              `(let ((,(car stores) (system::%putf ,getter ,itemp ,store)))
                 ,setter
                 ,store)
              `(getf ,getter ,itemp ,dtemp)))))

(define-setf-expander ldb (bytespec place &environment env)
  (multiple-value-bind (vars vals stores setter getter) (get-setf-expansion place env)
    (let ((btemp (gensym "BYTE")) (store (gensym "NEW")))
      (values (cons btemp vars) (cons bytespec vals) (list store)
              `(let ((,(car stores) (dpb ,store ,btemp ,getter)))
                 ,setter
                 ,store)
              `(ldb ,btemp ,getter)))))

(define-setf-expander values (&rest places &environment env)
  (let ((vars nil) (vals nil) (stores nil) (setters nil) (getters nil))
    (dolist (p places)
      (multiple-value-bind (pv pl ps setter getter) (get-setf-expansion p env)
        (setq vars (append vars pv) vals (append vals pl)
              stores (append stores (list (car ps)))
              setters (append setters (list setter))
              getters (append getters (list getter)))))
    (values vars vals stores `(values ,@setters) `(values ,@getters))))

(defsetf symbol-value set)
(defsetf get system::%put)
(defsetf macro-function system::%set-macro-function)
(defsetf fdefinition system::%set-fdefinition)
(defsetf symbol-function system::%set-fdefinition)

;;; ---- binding and values ----

(defmacro multiple-value-setq (vars form)
  (let ((temps (system::temps-for vars)))
    `(multiple-value-bind ,temps ,form
       ,@(mapcar (lambda (v g) `(setq ,v ,g)) vars temps)
       ,(car temps))))

(defmacro with-gensyms (names &body body)
  `(let ,(mapcar (lambda (n)
                   (if (consp n)
                       `(,(car n) (gensym ,(string (cadr n))))
                       `(,n (gensym ,(string n)))))
                 names)
     ,@body))

;;; ---- streams ----

(defmacro with-output-to-string ((var &optional string &key element-type) &body body)
  (declare (ignore element-type))
  (if string
      `(let ((,var (make-string-output-stream)))
         (unwind-protect (progn ,@body)
           (format ,string "~A" (get-output-stream-string ,var))))
      `(let ((,var (make-string-output-stream)))
         ,@body
         (get-output-stream-string ,var))))

(defmacro with-input-from-string ((var string &key start) &body body)
  `(let ((,var (make-string-input-stream ,string ,@(when start (list start)))))
     ,@body))

(defmacro with-standard-io-syntax (&body body)
  `(let ((*print-base* 10) (*print-radix* nil) (*print-escape* t)) ,@body))

;;; ---- conditions ----

(defmacro ignore-errors (&body body)
  (let ((c (gensym "CONDITION")))
    `(handler-case (progn ,@body)
       (error (,c) (values nil ,c)))))

(defmacro assert (test &optional places datum &rest args)
  (declare (ignore places))
  `(unless ,test
     ,(if datum
          `(error ,datum ,@args)
          `(error "The assertion ~S failed." ',test))))

(defmacro check-type (place type &optional description)
  (let ((v (gensym "VALUE")))
    `(let ((,v ,place))
       (unless (typep ,v ',type)
         (error 'simple-type-error
                :datum ,v :expected-type ',type
                :format-control "The value of ~S is ~S, which is not ~A."
                :format-arguments (list ',place ,v
                                        ,(or description
                                             `(format nil "of type ~S" ',type))))))))

(defmacro with-simple-restart ((name format-control &rest args) &body body)
  (declare (ignore name format-control args))
  `(progn ,@body))

(defmacro time (form)
  (let ((start (gensym "START")))
    `(let ((,start (get-internal-real-time)))
       (multiple-value-prog1 ,form
         (format *trace-output* "~&Evaluation took ~,6F seconds of real time~%"
                 (/ (- (get-internal-real-time) ,start) 1000000.0))))))
