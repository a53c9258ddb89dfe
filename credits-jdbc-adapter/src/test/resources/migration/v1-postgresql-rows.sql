COPY ${credits_schema}.credits_accounts (id, version, last_sequence, granted, settled, expired, debited, active_holds, created_at, plan, plan_due_at) FROM stdin;
bob	10	5	1080	0	0	0	1	1768471430.000000000	tier=studio\nstatus=ACTIVE\nsignup=false\nanchor=+2026-01-15T10:03:50Z\npaidCycle=0\ncycleStartSeq=2\nallowanceTotal=1000\npendingTier=-\npendingAt=-\ncancelAt=+2026-02-15T10:03:50Z\nsubscription=1\nrequests=2\ncharges=\norders=0%3Dref%253Dpack:bob:1%250Apack%253Dpack_500%250Aprice%253D500%250Acurrency%253DUSD%250Aat%253D2026-01-15T10:03:50Z%250A%0A\nrenewalFailures=0\nrenewalRetryAt=-\n	1771149830.000000000
carol	4	0	0	0	0	0	0	1768471430.000000000	tier=studio_plus\nstatus=ACTIVE\nsignup=false\nanchor=+2026-01-15T10:03:50Z\npaidCycle=-1\ncycleStartSeq=0\nallowanceTotal=0\npendingTier=-\npendingAt=-\ncancelAt=-\nsubscription=1\nrequests=0\ncharges=0%3Dsub%253D1%250Acycle%253D0%250Atier%253Dstudio_plus%250Astart%253D2026-01-15T10:03:50Z%250Aend%253D2026-02-15T10:03:50Z%250Aref%253Dsub:carol:1:0%250Aattempts%253D1%250Aclaimed%253Dfalse%250AnotBefore%253D2026-01-15T10:04:50Z%250A%0A\norders=\nrenewalFailures=0\nrenewalRetryAt=-\n	1768471430.000000000
dave	5	4	135	0	15	20	0	1768471430.000000000	\N	\N
alice	19	17	3570	32	0	0	1	1768471200.000000000	tier=studio_pro\nstatus=ACTIVE\nsignup=true\nanchor=+2026-01-15T10:00:00Z\npaidCycle=0\ncycleStartSeq=1\nallowanceTotal=2870\npendingTier=-\npendingAt=-\ncancelAt=-\nsubscription=1\nrequests=2\ncharges=\norders=\nrenewalFailures=0\nrenewalRetryAt=-\n	1771149600.000000000
\.
COPY ${credits_schema}.credits_holds (account, hold_id, amount, state, created_at, deadline, settled, ended_at, metadata, allocations) FROM stdin;
alice	h_7073d7f742faf2f04f774d3632f5c817	40	SETTLED	1768471380.000000000	1768472280.000000000	25	1768471400.000000000	kind=image\nmodel=standard\nnote=a%3Db%25c%0Aline two%0D%0Aünïcödé ✓\n	1:40
alice	h_ee9108e0d0e23ee4c606b7e2b04c83ac	10	RELEASED	1768471400.000000000	1768472300.000000000	0	1768471400.000000000		1:10
alice	h_97f38aa8916334aa282b64dbb2f7276f	8	SETTLED	1768471400.000000000	1768471520.000000000	7	1768471430.000000000	estimate=8\nkind=IMAGE\nmodel=standard\nrateCard=2026-11\nreshot=false\nresolution=720p\nseconds=0\nvariants=1\n	1:8
bob	h_4fb81f0e89b993f43b159474a5397a53	60	ACTIVE	1768471430.000000000	1768730630.000000000	0	\N		1:50,2:10
alice	h_16e1a57bd4db62146dfd00025f967477	5	EXPIRED	1768471400.000000000	1768471520.000000000	0	1768644230.000000000		1:5
alice	h_94a577dac4ec8271cab2f7ada8349f5c	7	EXPIRED	1768471400.000000000	1768493000.000000000	0	1768644230.000000000	kind=voice\nmodel=pro\n	1:7
alice	h_d5fb4386d3bd4229d44ca7c0380c917e	12	ACTIVE	1768644290.000000000	1768730690.000000000	0	\N	kind=music\nmodel=pro\n	1:12
\.
COPY ${credits_schema}.credits_idempotency (account, idem_key, operation, fingerprint, result, at) FROM stdin;
alice	open-alice	open		created=true\n	1768471200.000000000
alice	verify-alice	verify-email		granted=true\ncredits=200\ndetail=granted\n	1768471200.000000000
alice	subscribe-alice	subscribe	tier=studio\n	from=free\nto=studio\nat=2026-01-15T10:00:00Z\nimmediate=true\nprorated=0\npending=-\n	1768471200.000000000
alice	~evt.evt-alice-0	cycle-paid	cycle=0\n	effect=APPLIED\ncredits=1000\ndetail=cycle 0 refilled\n	1768471200.000000000
alice	pack-alice	buy-pack	pack=pack_500\n	at=2026-01-15T10:00:00Z\nref=pack:alice:1\n	1768471200.000000000
alice	~pay.pack:alice:1	pack-paid	pack=pack_500\namount=500\ncurrency=USD\n	effect=APPLIED\ncredits=500\ndetail=pack pack_500 granted\n	1768471200.000000000
alice	h1	hold	amount=40\nttl=default\nmetadata=kind%3Dimage%0Amodel%3Dstandard%0Anote%3Da%253Db%2525c%250Aline two%250D%250Aünïcödé ✓%0A\n	id=h_7073d7f742faf2f04f774d3632f5c817\namount=40\nstate=ACTIVE\ncreatedAt=2026-01-15T10:03:00Z\ndeadline=2026-01-15T10:18:00Z\nsettled=0\nendedAt=-\nmetadata=note%3Da%253Db%2525c%250Aline two%250D%250Aünïcödé ✓%0Amodel%3Dstandard%0Akind%3Dimage%0A\nallocations=1:40\n	1768471380.000000000
alice	s1	settle	hold=h_7073d7f742faf2f04f774d3632f5c817\namount=25\nmetadata=\n	hold=h_7073d7f742faf2f04f774d3632f5c817\nsettled=25\nreturned=15\nexpiredOnReturn=0\nat=2026-01-15T10:03:20Z\n	1768471400.000000000
alice	h2	hold	amount=10\nttl=default\nmetadata=\n	id=h_ee9108e0d0e23ee4c606b7e2b04c83ac\namount=10\nstate=ACTIVE\ncreatedAt=2026-01-15T10:03:20Z\ndeadline=2026-01-15T10:18:20Z\nsettled=0\nendedAt=-\nmetadata=\nallocations=1:10\n	1768471400.000000000
alice	r2	release	hold=h_ee9108e0d0e23ee4c606b7e2b04c83ac\nreason=generation failed\n	hold=h_ee9108e0d0e23ee4c606b7e2b04c83ac\nreturned=10\nexpiredOnReturn=0\nat=2026-01-15T10:03:20Z\n	1768471400.000000000
alice	h3	hold	amount=7\nttl=PT6H\nmetadata=kind%3Dvoice%0Amodel%3Dpro%0A\n	id=h_94a577dac4ec8271cab2f7ada8349f5c\namount=7\nstate=ACTIVE\ncreatedAt=2026-01-15T10:03:20Z\ndeadline=2026-01-15T16:03:20Z\nsettled=0\nendedAt=-\nmetadata=kind%3Dvoice%0Amodel%3Dpro%0A\nallocations=1:7\n	1768471400.000000000
alice	h4	hold	amount=5\nttl=PT2M\nmetadata=\n	id=h_16e1a57bd4db62146dfd00025f967477\namount=5\nstate=ACTIVE\ncreatedAt=2026-01-15T10:03:20Z\ndeadline=2026-01-15T10:05:20Z\nsettled=0\nendedAt=-\nmetadata=\nallocations=1:5\n	1768471400.000000000
alice	gen-1	authorize	card=2026-11\nitem=GenerationRequest[kind=IMAGE, model=standard, resolution=720p, durationSeconds=0, variants=1, reshot=false, feature=null]:8\n	hold0=id%3Dh_97f38aa8916334aa282b64dbb2f7276f%0Aamount%3D8%0Astate%3DACTIVE%0AcreatedAt%3D2026-01-15T10:03:20Z%0Adeadline%3D2026-01-15T10:05:20Z%0Asettled%3D0%0AendedAt%3D-%0Ametadata%3Dmodel%253Dstandard%250Aresolution%253D720p%250Areshot%253Dfalse%250Avariants%253D1%250Aseconds%253D0%250ArateCard%253D2026-11%250Akind%253DIMAGE%250Aestimate%253D8%250A%0Aallocations%3D1:8%0A\n	1768471400.000000000
alice	gen-1-done	settle	hold=h_97f38aa8916334aa282b64dbb2f7276f\namount=7\nmetadata=actual%3D7%0Aoutcome%3Dsucceeded%0A\n	hold=h_97f38aa8916334aa282b64dbb2f7276f\nsettled=7\nreturned=1\nexpiredOnReturn=0\nat=2026-01-15T10:03:50Z\n	1768471430.000000000
bob	open-bob	open		created=true\n	1768471430.000000000
bob	promo-bob	grant	source=PROMOTION\namount=50\nexpiresAt=+2026-01-16T10:03:50Z\nmetadata=\n	lot=1\nsource=PROMOTION\namount=50\nat=2026-01-15T10:03:50Z\nexpiresAt=+2026-01-16T10:03:50Z\n	1768471430.000000000
bob	promo-bob-2	grant	source=PROMOTION\namount=30\nexpiresAt=-\nmetadata=\n	lot=2\nsource=PROMOTION\namount=30\nat=2026-01-15T10:03:50Z\nexpiresAt=-\n	1768471430.000000000
bob	subscribe-bob	subscribe	tier=studio\n	from=free\nto=studio\nat=2026-01-15T10:03:50Z\nimmediate=true\nprorated=0\npending=-\n	1768471430.000000000
bob	~evt.evt-bob-0	cycle-paid	cycle=0\n	effect=APPLIED\ncredits=1000\ndetail=cycle 0 refilled\n	1768471430.000000000
bob	h5	hold	amount=60\nttl=PT72H\nmetadata=\n	id=h_4fb81f0e89b993f43b159474a5397a53\namount=60\nstate=ACTIVE\ncreatedAt=2026-01-15T10:03:50Z\ndeadline=2026-01-18T10:03:50Z\nsettled=0\nendedAt=-\nmetadata=\nallocations=1:50,2:10\n	1768471430.000000000
bob	pack-bob	buy-pack	pack=pack_500\n	at=2026-01-15T10:03:50Z\nref=pack:bob:1\n	1768471430.000000000
bob	cancel-bob	cancel		value=from%3Dstudio%0Ato%3Dfree%0Aat%3D2026-02-15T10:03:50Z%0Aimmediate%3Dfalse%0Aprorated%3D0%0Apending%3D-%0A\nref=cancel:bob:2\n	1768471430.000000000
carol	open-carol	open		created=true\n	1768471430.000000000
carol	subscribe-carol	subscribe	tier=studio_plus\n	from=free\nto=studio_plus\nat=2026-01-15T10:03:50Z\nimmediate=true\nprorated=0\npending=-\n	1768471430.000000000
dave	open-dave	open		created=true\n	1768471430.000000000
dave	add-dave	adjust	delta=120\nreason=support: outage\n	120	1768471430.000000000
dave	remove-dave	adjust	delta=-20\nreason=support: duplicate\n	100	1768471430.000000000
dave	promo-dave	grant	source=PROMOTION\namount=15\nexpiresAt=+2026-01-16T10:03:50Z\nmetadata=\n	lot=3\nsource=PROMOTION\namount=15\nat=2026-01-15T10:03:50Z\nexpiresAt=+2026-01-16T10:03:50Z\n	1768471430.000000000
alice	h6	hold	amount=12\nttl=PT24H\nmetadata=kind%3Dmusic%0Amodel%3Dpro%0A\n	id=h_d5fb4386d3bd4229d44ca7c0380c917e\namount=12\nstate=ACTIVE\ncreatedAt=2026-01-17T10:04:50Z\ndeadline=2026-01-18T10:04:50Z\nsettled=0\nendedAt=-\nmetadata=kind%3Dmusic%0Amodel%3Dpro%0A\nallocations=1:12\n	1768644290.000000000
alice	upgrade-alice	change-plan	tier=studio_pro\n	value=from%3Dstudio%0Ato%3Dstudio_pro%0Aat%3D2026-01-17T10:04:50Z%0Aimmediate%3Dtrue%0Aprorated%3D1870%0Apending%3D-%0A\nref=change:alice:2\n	1768644290.000000000
\.
COPY ${credits_schema}.credits_ledger (account, sequence, type, amount, lot_id, source, hold_id, idem_key, at, metadata) FROM stdin;
alice	1	GRANT	200	1	SIGNUP_GRANT	\N	verify-alice	1768471200.000000000	reason=email verified\n
alice	2	GRANT	1000	2	MONTHLY_ALLOWANCE	\N	~evt.evt-alice-0	1768471200.000000000	by=payment\ncycle=0\nevent=evt-alice-0\nsubscription=1\ntier=studio\n
alice	3	GRANT	500	3	PACK	\N	~pay.pack:alice:1	1768471200.000000000	event=evt-pack-alice\norderedAt=2026-01-15T10:00:00Z\npack=pack_500\npaymentReference=pack:alice:1\n
alice	4	HOLD	40	1	SIGNUP_GRANT	h_7073d7f742faf2f04f774d3632f5c817	h1	1768471380.000000000	kind=image\nmodel=standard\nnote=a%3Db%25c%0Aline two%0D%0Aünïcödé ✓\n
alice	5	SETTLE	25	1	SIGNUP_GRANT	h_7073d7f742faf2f04f774d3632f5c817	s1	1768471400.000000000	kind=image\nmodel=standard\nnote=a%3Db%25c%0Aline two%0D%0Aünïcödé ✓\n
alice	6	RELEASE	15	1	SIGNUP_GRANT	h_7073d7f742faf2f04f774d3632f5c817	s1	1768471400.000000000	kind=image\nmodel=standard\nnote=a%3Db%25c%0Aline two%0D%0Aünïcödé ✓\n
alice	7	HOLD	10	1	SIGNUP_GRANT	h_ee9108e0d0e23ee4c606b7e2b04c83ac	h2	1768471400.000000000	
alice	8	RELEASE	10	1	SIGNUP_GRANT	h_ee9108e0d0e23ee4c606b7e2b04c83ac	r2	1768471400.000000000	reason=generation failed\n
alice	9	HOLD	7	1	SIGNUP_GRANT	h_94a577dac4ec8271cab2f7ada8349f5c	h3	1768471400.000000000	kind=voice\nmodel=pro\n
alice	10	HOLD	5	1	SIGNUP_GRANT	h_16e1a57bd4db62146dfd00025f967477	h4	1768471400.000000000	
alice	11	HOLD	8	1	SIGNUP_GRANT	h_97f38aa8916334aa282b64dbb2f7276f	gen-1	1768471400.000000000	estimate=8\nkind=IMAGE\nmodel=standard\nrateCard=2026-11\nreshot=false\nresolution=720p\nseconds=0\nvariants=1\n
alice	12	SETTLE	7	1	SIGNUP_GRANT	h_97f38aa8916334aa282b64dbb2f7276f	gen-1-done	1768471430.000000000	actual=7\nestimate=8\nkind=IMAGE\nmodel=standard\noutcome=succeeded\nrateCard=2026-11\nreshot=false\nresolution=720p\nseconds=0\nvariants=1\n
alice	13	RELEASE	1	1	SIGNUP_GRANT	h_97f38aa8916334aa282b64dbb2f7276f	gen-1-done	1768471430.000000000	actual=7\nestimate=8\nkind=IMAGE\nmodel=standard\noutcome=succeeded\nrateCard=2026-11\nreshot=false\nresolution=720p\nseconds=0\nvariants=1\n
bob	1	GRANT	50	1	PROMOTION	\N	promo-bob	1768471430.000000000	
bob	2	GRANT	30	2	PROMOTION	\N	promo-bob-2	1768471430.000000000	
bob	3	GRANT	1000	3	MONTHLY_ALLOWANCE	\N	~evt.evt-bob-0	1768471430.000000000	by=payment\ncycle=0\nevent=evt-bob-0\nsubscription=1\ntier=studio\n
bob	4	HOLD	50	1	PROMOTION	h_4fb81f0e89b993f43b159474a5397a53	h5	1768471430.000000000	
bob	5	HOLD	10	2	PROMOTION	h_4fb81f0e89b993f43b159474a5397a53	h5	1768471430.000000000	
dave	1	GRANT	120	1	ADJUSTMENT	\N	add-dave	1768471430.000000000	reason=support: outage\n
dave	2	DEBIT	20	1	ADJUSTMENT	\N	remove-dave	1768471430.000000000	reason=support: duplicate\n
dave	3	GRANT	15	3	PROMOTION	\N	promo-dave	1768471430.000000000	
alice	14	HOLD_EXPIRED	5	1	SIGNUP_GRANT	h_16e1a57bd4db62146dfd00025f967477	\N	1768644230.000000000	
alice	15	HOLD_EXPIRED	7	1	SIGNUP_GRANT	h_94a577dac4ec8271cab2f7ada8349f5c	\N	1768644230.000000000	kind=voice\nmodel=pro\n
dave	4	LOT_EXPIRED	15	3	PROMOTION	\N	\N	1768644230.000000000	
alice	16	HOLD	12	1	SIGNUP_GRANT	h_d5fb4386d3bd4229d44ca7c0380c917e	h6	1768644290.000000000	kind=music\nmodel=pro\n
alice	17	GRANT	1870	17	PRORATION	\N	upgrade-alice	1768644290.000000000	from=studio\nto=studio_pro\n
\.
COPY ${credits_schema}.credits_lots (account, lot_id, source, granted, remaining, reserved, granted_at, expires_at) FROM stdin;
alice	2	MONTHLY_ALLOWANCE	1000	1000	0	1768471200.000000000	\N
alice	3	PACK	500	500	0	1768471200.000000000	\N
bob	3	MONTHLY_ALLOWANCE	1000	1000	0	1768471430.000000000	\N
bob	1	PROMOTION	50	0	50	1768471430.000000000	1768557830.000000000
bob	2	PROMOTION	30	20	10	1768471430.000000000	\N
dave	1	ADJUSTMENT	120	100	0	1768471430.000000000	\N
alice	1	SIGNUP_GRANT	200	156	12	1768471200.000000000	\N
alice	17	PRORATION	1870	1870	0	1768644290.000000000	\N
\.
COPY ${credits_schema}.credits_schema_version (version, script, installed_at) FROM stdin;
1	V1__credits_schema.sql	2026-12-02 03:12:02.46753+00
\.
