#pragma once
#include <git2.h>
#include <git2/sys/repository.h>

// git_libgit2_opts is variadic, which Swift cannot call; these fix its argument types.
static inline int dtrain_git_opts_int(int option, int value) {
    return git_libgit2_opts(option, value);
}

static inline int dtrain_git_opts_size(int option, size_t value) {
    return git_libgit2_opts(option, value);
}

static inline int dtrain_git_opts_get_size(int option, size_t *value) {
    return git_libgit2_opts(option, value);
}

static inline int dtrain_git_opts_cache_limit(int type, size_t value) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, (git_object_t)type, value);
}
