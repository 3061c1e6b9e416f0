// SPDX-License-Identifier: GPL-2.0
/*
 * `table inet ctfailover` as `nft -f` text (ctfd_nft_print).
 */
#include <sys/socket.h>

#include "nft_priv.h"

static void print_elems(FILE *f, const struct ctf_addr *slots, uint32_t size)
{
	char a[CTF_ADDR_STRLEN];
	bool first = true;
	uint32_t k;

	for (k = 0; k < size; k++) {
		if (!slots[k].family)
			continue;
		fprintf(f, "%s%u : %s",
			first ? "\t\telements = { " : ",\n\t\t\t", k,
			ctf_addr_str(&slots[k], a));
		first = false;
	}
	if (!first)
		fprintf(f, " }\n");
}

static void print_vips(FILE *f, const struct ctfd_dataplane *dp, int family)
{
	char a[CTF_ADDR_STRLEN];
	bool first = true;
	unsigned int i;

	for (i = 0; i < dp->n_vips; i++) {
		if (dp->vips[i].family != family)
			continue;
		fprintf(f, "%s%s", first ? "\t\telements = { " : ", ",
			ctf_addr_str(&dp->vips[i], a));
		first = false;
	}
	if (!first)
		fprintf(f, " }\n");
}

void ctfd_nft_print(FILE *f, const struct ctfd_dataplane *dp)
{
	unsigned int i;

	fprintf(f,
		"# ctfailoverd's data plane: table size %u, seed 0x%08x\n"
		"table inet %s\n"
		"delete table inet %s\n"
		"table inet %s {\n",
		dp->table_size, dp->seed, CTFD_NFT_TABLE, CTFD_NFT_TABLE,
		CTFD_NFT_TABLE);
	fprintf(f, "\tmap slots4 {\n\t\ttypeof numgen inc mod 2 : ip daddr\n");
	if (dp->slots4)
		print_elems(f, dp->slots4, dp->table_size);
	fprintf(f, "\t}\n\n\tmap slots6 {\n"
		   "\t\ttypeof numgen inc mod 2 : ip6 daddr\n");
	if (dp->slots6)
		print_elems(f, dp->slots6, dp->table_size);
	fprintf(f, "\t}\n\n\tset vips4 {\n\t\ttype ipv4_addr\n");
	print_vips(f, dp, AF_INET);
	fprintf(f, "\t}\n\n\tset vips6 {\n\t\ttype ipv6_addr\n");
	print_vips(f, dp, AF_INET6);
	fprintf(f, "\t}\n\n\tset sip_ports {\n\t\ttype inet_service\n");
	for (i = 0; i < dp->n_ports; i++)
		fprintf(f, "%s%u", i ? ", " : "\t\telements = { ",
			dp->ports[i]);
	if (dp->n_ports)
		fprintf(f, " }\n");
	fprintf(f, "\t}\n");
	for (i = 0; i < N_CHAINS; i++)
		fprintf(f,
			"\n\tchain %s {\n"
			"\t\ttype nat hook %s priority %s; policy accept;\n"
			"\t\tip daddr @vips4 udp dport @sip_ports dnat ip to jhash ip saddr . udp sport mod %u seed 0x%08x map @slots4\n"
			"\t\tip6 daddr @vips6 udp dport @sip_ports dnat ip6 to jhash ip6 saddr . udp sport mod %u seed 0x%08x map @slots6\n"
			"\t}\n",
			ctfd_nft_chains[i].name, ctfd_nft_chains[i].hook_name,
			ctfd_nft_chains[i].prio, dp->table_size, dp->seed,
			dp->table_size, dp->seed);
	fprintf(f, "}\n");
}
