// The 1024-word S5 seed-phrase wordlist (index = position), generated from
// /work/shared/s5/wordlist.txt. Origin: the Sia / Skynet Labs wordlist as shipped by s5.js and lib5.
// MIT License, Copyright (c) 2021 Skynet Labs, Copyright (c) 2025 S5 Contributors.
// Embedded (not read from disk) so the browser bundle needs no file access.
// Stored front-coded (each word = how many leading letters it shares with the previous one, one
// digit, then the rest) because the plain array cost ~1 KB gzip more of the 60 KB browser budget of an
// app importing createSdk. Decoding gives exactly the same 1024 words in the same order (checked by
// test/seed-identity.test.ts's vectors and the wordlist test).
const FRONT_CODED =
  '0abandon2ility2le2out2road2sence2use1cademy2cept2hieve2id2quire2ross2tion1dapt2dress2just2mit2opt2ul' +
  't2vice1ffect2raid2ter1gainst2ency2o2ree1head1irport2sle1larm2bum2cohol2ive2low2most2ong2ready2so2ter' +
  '2ways1mazing2id2ong1nalyst2cient2gry2imal2kle2nual2other2swer2xiety2yone1part2ology2pear1rea2gue2ise' +
  '2my2ound2rive2ticle1side2leep2pect2sume1top2tack1uction2dio2nt2thor1verage2oid1way2ful0baby2ck2dly2k' +
  'e2ll2nk2rely2se2ttle1eat2cause2droom2er2fore2gin2hind2ing2lieve2nefit2st2tween2yond1ias2ke2llion2nd2' +
  'ology2rd2shop2te2zarre1lack2end2ind2ood2ue1oard2dy2il2ld2mb2ne2ok2rn2ss2th2unce2wl2x2y1rain2eak2ing2' +
  'other2ush1ubble2ck2dget2g2ild2llet2nch2rn2sy2tter2yer0cable2fe2ge2ke2ll2mera2n2pital2re2se2tch2use2v' +
  'e1ease2iling2ll2nter2rtain1hange2eck2ild2oose2ronic2urch1ircle2ty2vil1lass2ear2ient2ose2ub1oach2cain' +
  'e2de2ffee2in2llege2me2ntrol2ok2py2rner2st2tton2uld2ver2w1razy2eate2ime2owd2ucial2ystal1ue2lture2p2rr' +
  'ent2stom2te1ycle0dad2ily2mage2nger2rk2ta2wn2y1eath2bate2cide2ep2fense2gree2liver2mand2ny2pend2spite2' +
  'tail2velop1iamond2ctate2et2ffer2gital2lemma2nner2p2rect2sease2vide1octor2g2llar2main2nor2or2se2ubt2w' +
  'n2zen1raw2eam2ive2op2ug2y1uck2mp2ring2st2ty1ying2namic0each2ger2rly2sy2ting1cho2onomy1dge2itor2ucate' +
  '1ffect1gg2o1ither1lbow2derly2ement2ite2se1mbrace2erge2otion2pty1nable2dure2ergy2force2gage2hance2joy' +
  '2ough2sure2ter1pisode1qual1rror1scape2say2tate1thnic1ven2ident2olve1xactly2cept2ecute2hibit2ist2otic' +
  '2pect2tend1ye0fabric2ct2de2il2ll2mily2ntasy2rm2st2ther2ult2vor1ear2deral2el2llow2male2nce2ver2wer1ib' +
  'er2ction2eld2gure2lm2nd2rst2sh2tness2xed1lag2ee2ight2oor2uid2ying1ocus2g2llow2od2rce2ster1rame2ee2ie' +
  'nd2om2uit1uel2ll2nd2ry2ture0gain2llery2me2ng2rden2ther2y2ze1ear2neral2sture1host1iant2ft2rl2ve1lass2' +
  'impse2obal1oal2ld2od2spel2vern1rade2eat2ip2oup1uard2ess2ide2lf2t2y1ym0habit2ir2lf2mmer2nd2ppen2rd2te' +
  '2ul2ve2zard1ear2el2ight2lp2nce2re1ide2gh2ll2mself2nt2p2re2story1ockey2ld2me2nor2ok2pe2rse2st2tel2use' +
  '2wever1uge2man2ndred2rt2sband0ice2on1dea1gnore1mage2mune2pact1nclude2deed2form2herit2itial2jury2mate' +
  '2ner2put2quiry2side2to2volve1ron1sland2olate2sue1tem2self0jacket2il2w2zz1eans2welry1ob2in2ke2urnal2y' +
  '1udge2ice2mp2nior2ry2st0keep2y1ick2ll2nd2ss2tchen1nee2ife2ow0labor2ck2dy2ke2mp2nd2rge2st2ter2ugh2yer' +
  '1eave2cture2ft2gal2mon2ngth2ss2tter2vel1ibrary2cense2fe2ght2ke2mit2ne2on2quid2sten2ttle2ve1oan2bby2c' +
  'al2gic2ng2ok2rd2se2ts2ud2ve2wer2yalty1ucky2nch0machine2dness2gic2in2jor2ke2le2ma2ny2rket2tter2ximum2' +
  'ybe1ean2dical2et2lt2mber2ntion2rely2ssage2thod1iddle2ght2llion2nute2rror2ss2xture1obile2del2ment2ney' +
  '2on2re2st2ther2uth2ve1uch2d2rder2st2tual1yself2th0nail2ked2me2rrow2sty2tion2vy1early2ck2ed2ither2rvo' +
  'us2st2twork2utral2ver2ws2xt1ice2ght1obody2ise2minee2ne2on2rth2se2thing2vel2where1uclear2mber2rse2t0o' +
  'ak1bject2serve2tain2vious1ccur2ean1dds1ffice2ten1kay1ld1nce2going2ion2ly2to1pen2inion2pose2tion1rang' +
  'e2bit2der2ganic2igin1ther1ught2nce2rs2tside1ver1wner1xygen0package2ge2in2le2nel2per2rt2ss2tient2use2' +
  'yment1eace2er2nalty2ople2pper2rcent2t1hase2oto2rase2ysics1iano2ck2ece2lot2nk2oneer2pe2tch2zza1lace2e' +
  'ase2ot2us1ocket2em2int2ke2licy2nd2or2pular2rtion2se2tato2und2verty2wer1rayer2epare2ice2oblem1ublic2l' +
  'l2mp2nish2rpose2sh2t2zzle0quality2een2ite2ote0rabbit2ce2dio2ge2ise2lly2nge2pidly2re2te1eally2build2c' +
  'eive2duce2flect2gion2ject2late2main2nt2port2quire2sult2turn2veal2ward1hythm1ibbon2ch2de2fle2ght2ng2o' +
  't2sk2tual2ver1oad2bot2ck2le2mance2om2pe2ute2yal1ubber2in2le2mor2nning2ral2sh0sacred2fety2il2lt2me2nd' +
  '2tisfy2uce2ve2y1cale2ene2hool2ience2ore2reen1eason2cond2e2gment2ize2ll2minar2nd2rvice2ssion2ttle2ver' +
  'al1hare2eet2ip2ould2rug2ut2y1ibling2ck2de2gn2lence2mply2nce2ster2te2ze1kill2ull2y1lave2eep2ip2owly1m' +
  'all2ell2ile2oke1nap2eak2ow1oap2cial2dium2ft2il2ldier2me2ng2on2rt2urce1pace2eak2here2irit2lit2ort2rin' +
  'g2y1quare1tate2ep2ill2ory2reet2udent2yle1ubject2ch2dden2ffer2ggest2it2mmer2nset2pport2re2spect1wallo' +
  'w2eet2ing2ord1ymbol2stem0table2ctic2il2ke2lk2nk2pe2rget2sk2x1eam2ch2en2ll2mple2nd2rm2st2xt1hat2ey2is' +
  '2ose2rough2us1icket2de2ger2ll2me2ny2red2ssue2tle1obacco2day2ilet2ll2mato2night2ol2pic2ss2tal2ugh2war' +
  'd2xic2y1rade2ee2ial2ouble2ue2y1ube2ck2mor2nnel2rn1wenty2ice1ype0ugly1nable2cle2der2fair2happy2ion2kn' +
  'own2less2til2usual1pdate2on2per2set1rban2ge1sed2ually1tility0vaccine2lue2nish2rious2st1ehicle2nture2' +
  'ry2ssel2teran1ictim2deo2ew2llage2olent2rus2sit2tal1oice2lume2te0wage2it2ke2lk2nt2rm2ste2ter2ve2y1ear' +
  '2b2dding2ek2ight2ll2st1hat2en2ich2ole2y1ide2fe2ll2ndow2pe2re2sh2th1olf2man2nder2od2rk2uld1rap2ite2on' +
  'g0yard1ear2llow1ield1ou0zone';

function decode(coded: string): string[] {
  const words: string[] = [];
  let prev = '';
  for (const [, shared, rest] of coded.matchAll(/(\d)([a-z]+)/g)) {
    prev = prev.slice(0, Number(shared)) + rest;
    words.push(prev);
  }
  return words;
}

export const SEED_WORDLIST: readonly string[] = Object.freeze(decode(FRONT_CODED));
