/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The one table of names used both by the module's text output and by the
 * userspace tool: errno names, accept4 flags, file flags seen by
 * inet_accept, address families, socket types.  Values are spelled as
 * numbers so that userspace needs no kernel-internal header; the module
 * checks every one against the kernel's own definition at build time.
 *
 * Each list is an X-macro: X(NAME, value).
 */
#ifndef _ACCEPTTRACE_NAMES_H
#define _ACCEPTTRACE_NAMES_H

/* Every errno of asm-generic, then the kernel-internal restart codes. */
#define AT_ERRNO_LIST(X)	\
	X(EPERM, 1)	\
	X(ENOENT, 2)	\
	X(ESRCH, 3)	\
	X(EINTR, 4)	\
	X(EIO, 5)	\
	X(ENXIO, 6)	\
	X(E2BIG, 7)	\
	X(ENOEXEC, 8)	\
	X(EBADF, 9)	\
	X(ECHILD, 10)	\
	X(EAGAIN, 11)	\
	X(ENOMEM, 12)	\
	X(EACCES, 13)	\
	X(EFAULT, 14)	\
	X(ENOTBLK, 15)	\
	X(EBUSY, 16)	\
	X(EEXIST, 17)	\
	X(EXDEV, 18)	\
	X(ENODEV, 19)	\
	X(ENOTDIR, 20)	\
	X(EISDIR, 21)	\
	X(EINVAL, 22)	\
	X(ENFILE, 23)	\
	X(EMFILE, 24)	\
	X(ENOTTY, 25)	\
	X(ETXTBSY, 26)	\
	X(EFBIG, 27)	\
	X(ENOSPC, 28)	\
	X(ESPIPE, 29)	\
	X(EROFS, 30)	\
	X(EMLINK, 31)	\
	X(EPIPE, 32)	\
	X(EDOM, 33)	\
	X(ERANGE, 34)	\
	X(EDEADLK, 35)	\
	X(ENAMETOOLONG, 36)	\
	X(ENOLCK, 37)	\
	X(ENOSYS, 38)	\
	X(ENOTEMPTY, 39)	\
	X(ELOOP, 40)	\
	X(ENOMSG, 42)	\
	X(EIDRM, 43)	\
	X(ECHRNG, 44)	\
	X(EL2NSYNC, 45)	\
	X(EL3HLT, 46)	\
	X(EL3RST, 47)	\
	X(ELNRNG, 48)	\
	X(EUNATCH, 49)	\
	X(ENOCSI, 50)	\
	X(EL2HLT, 51)	\
	X(EBADE, 52)	\
	X(EBADR, 53)	\
	X(EXFULL, 54)	\
	X(ENOANO, 55)	\
	X(EBADRQC, 56)	\
	X(EBADSLT, 57)	\
	X(EBFONT, 59)	\
	X(ENOSTR, 60)	\
	X(ENODATA, 61)	\
	X(ETIME, 62)	\
	X(ENOSR, 63)	\
	X(ENONET, 64)	\
	X(ENOPKG, 65)	\
	X(EREMOTE, 66)	\
	X(ENOLINK, 67)	\
	X(EADV, 68)	\
	X(ESRMNT, 69)	\
	X(ECOMM, 70)	\
	X(EPROTO, 71)	\
	X(EMULTIHOP, 72)	\
	X(EDOTDOT, 73)	\
	X(EBADMSG, 74)	\
	X(EOVERFLOW, 75)	\
	X(ENOTUNIQ, 76)	\
	X(EBADFD, 77)	\
	X(EREMCHG, 78)	\
	X(ELIBACC, 79)	\
	X(ELIBBAD, 80)	\
	X(ELIBSCN, 81)	\
	X(ELIBMAX, 82)	\
	X(ELIBEXEC, 83)	\
	X(EILSEQ, 84)	\
	X(ERESTART, 85)	\
	X(ESTRPIPE, 86)	\
	X(EUSERS, 87)	\
	X(ENOTSOCK, 88)	\
	X(EDESTADDRREQ, 89)	\
	X(EMSGSIZE, 90)	\
	X(EPROTOTYPE, 91)	\
	X(ENOPROTOOPT, 92)	\
	X(EPROTONOSUPPORT, 93)	\
	X(ESOCKTNOSUPPORT, 94)	\
	X(EOPNOTSUPP, 95)	\
	X(EPFNOSUPPORT, 96)	\
	X(EAFNOSUPPORT, 97)	\
	X(EADDRINUSE, 98)	\
	X(EADDRNOTAVAIL, 99)	\
	X(ENETDOWN, 100)	\
	X(ENETUNREACH, 101)	\
	X(ENETRESET, 102)	\
	X(ECONNABORTED, 103)	\
	X(ECONNRESET, 104)	\
	X(ENOBUFS, 105)	\
	X(EISCONN, 106)	\
	X(ENOTCONN, 107)	\
	X(ESHUTDOWN, 108)	\
	X(ETOOMANYREFS, 109)	\
	X(ETIMEDOUT, 110)	\
	X(ECONNREFUSED, 111)	\
	X(EHOSTDOWN, 112)	\
	X(EHOSTUNREACH, 113)	\
	X(EALREADY, 114)	\
	X(EINPROGRESS, 115)	\
	X(ESTALE, 116)	\
	X(EUCLEAN, 117)	\
	X(ENOTNAM, 118)	\
	X(ENAVAIL, 119)	\
	X(EISNAM, 120)	\
	X(EREMOTEIO, 121)	\
	X(EDQUOT, 122)	\
	X(ENOMEDIUM, 123)	\
	X(EMEDIUMTYPE, 124)	\
	X(ECANCELED, 125)	\
	X(ENOKEY, 126)	\
	X(EKEYEXPIRED, 127)	\
	X(EKEYREVOKED, 128)	\
	X(EKEYREJECTED, 129)	\
	X(EOWNERDEAD, 130)	\
	X(ENOTRECOVERABLE, 131)	\
	X(ERFKILL, 132)	\
	X(EHWPOISON, 133)	\
	AT_ERRNO_KERNEL_LIST(X)

/* Seen only inside the kernel; the man page says a trace may show them. */
#define AT_ERRNO_KERNEL_LIST(X)	\
	X(ERESTARTSYS, 512)	\
	X(ERESTARTNOINTR, 513)	\
	X(ERESTARTNOHAND, 514)	\
	X(ENOIOCTLCMD, 515)	\
	X(ERESTART_RESTARTBLOCK, 516)

/* accept4(2) flags (x86-64 values). */
#define AT_SOCK_FLAG_LIST(X)	\
	X(SOCK_NONBLOCK, 00004000)	\
	X(SOCK_CLOEXEC, 02000000)

/* File flags a listening socket's file passes to ->accept(). */
#define AT_FILE_FLAG_LIST(X)	\
	X(O_WRONLY, 00000001)	\
	X(O_RDWR, 00000002)	\
	X(O_APPEND, 00002000)	\
	X(O_NONBLOCK, 00004000)	\
	X(O_DSYNC, 00010000)	\
	X(FASYNC, 00020000)	\
	X(O_DIRECT, 00040000)	\
	X(O_LARGEFILE, 00100000)	\
	X(O_NOATIME, 01000000)	\
	X(O_CLOEXEC, 02000000)

#define AT_FAMILY_LIST(X)	\
	X(AF_UNSPEC, 0)		\
	X(AF_UNIX, 1)		\
	X(AF_INET, 2)		\
	X(AF_INET6, 10)		\
	X(AF_NETLINK, 16)	\
	X(AF_PACKET, 17)	\
	X(AF_TIPC, 30)		\
	X(AF_BLUETOOTH, 31)	\
	X(AF_ALG, 38)		\
	X(AF_VSOCK, 40)		\
	X(AF_KCM, 41)		\
	X(AF_QIPCRTR, 42)	\
	X(AF_SMC, 43)		\
	X(AF_XDP, 44)		\
	X(AF_MCTP, 45)

#define AT_SOCK_TYPE_LIST(X)	\
	X(SOCK_STREAM, 1)	\
	X(SOCK_DGRAM, 2)	\
	X(SOCK_RAW, 3)		\
	X(SOCK_RDM, 4)		\
	X(SOCK_SEQPACKET, 5)	\
	X(SOCK_DCCP, 6)		\
	X(SOCK_PACKET, 10)

/* A {value, name} table built from one of the lists above. */
struct at_name {
	long value;
	const char *name;
};

#define AT_NAME_ENTRY(name, value)	{ value, #name },

#endif /* _ACCEPTTRACE_NAMES_H */
