/* Lookups in the feature table (cfeatures.def): the answers of __has_builtin,
 * __has_attribute and friends, shared by the preprocessor and the parser. */
#ifndef WHISTLER_C_CFEATURES_H
#define WHISTLER_C_CFEATURES_H

#include <stddef.h>

enum cfeature_kind { CF_BUILTIN, CF_ATTRIBUTE, CF_C_ATTRIBUTE, CF_DECLSPEC, CF_FEATURE, CF_EXTENSION };

/* The value for `name` (len bytes) of kind k, 0 when unknown. Attribute
 * names may be spelled __x__; C attributes as "scope::name" (with
 * __scope__ spellings normalized by the caller). */
long cfeature_value(enum cfeature_kind k, const char *name, size_t len);

#endif
