// The 1024-word S5 seed-phrase wordlist (index = position), generated from
// /work/shared/s5/wordlist.txt. Origin: the Sia / Skynet Labs wordlist as shipped by s5.js and lib5.
// MIT License, Copyright (c) 2021 Skynet Labs, Copyright (c) 2025 S5 Contributors.
// Embedded (not read from disk) so the browser bundle needs no file access.
// Stored front-coded (each word = the letters it does not share with the previous one; no word shares
// more than 2. Shares 2: the rest with its first letter in upper case; shares 0 or 1: that digit, then
// the rest) because the plain array cost ~1 KB gzip more of the 60 KB browser budget of an
// app importing createSdk. Decoding gives exactly the same 1024 words in the same order (checked by
// test/seed-identity.test.ts's vectors and the wordlist test).
const FRONT_CODED =
  '0abandonIlityLeOutRoadSenceUse1cademyCeptHieveIdQuireRossTion1daptDressJustMitOptUltVice1ffectRaidTe' +
  'r1gainstEncyORee1head1irportSle1larmBumCoholIveLowMostOngReadySoTerWays1mazingIdOng1nalystCientGryIm' +
  'alKleNualOtherSwerXietyYone1partOlogyPear1reaGueIseMyOundRiveTicle1sideLeepPectSume1topTack1uctionDi' +
  'oNtThor1verageOid1wayFul0babyCkDlyKeLlNkRelySeTtle1eatCauseDroomErForeGinHindIngLieveNefitStTweenYon' +
  'd1iasKeLlionNdOlogyRdShopTeZarre1lackEndIndOodUe1oardDyIlLdMbNeOkRnSsThUnceWlXY1rainEakIngOtherUsh1u' +
  'bbleCkDgetGIldLletNchRnSyTterYer0cableFeGeKeLlMeraNPitalReSeTchUseVe1easeIlingLlNterRtain1hangeEckIl' +
  'dOoseRonicUrch1ircleTyVil1lassEarIentOseUb1oachCaineDeFfeeInLlegeMeNtrolOkPyRnerStTtonUldVerW1razyEa' +
  'teImeOwdUcialYstal1ueLturePRrentStomTe1ycle0dadIlyMageNgerRkTaWnY1eathBateCideEpFenseGreeLiverMandNy' +
  'PendSpiteTailVelop1iamondCtateEtFferGitalLemmaNnerPRectSeaseVide1octorGLlarMainNorOrSeUbtWnZen1rawEa' +
  'mIveOpUgY1uckMpRingStTy1yingNamic0eachGerRlySyTing1choOnomy1dgeItorUcate1ffect1ggO1ither1lbowDerlyEm' +
  'entIteSe1mbraceErgeOtionPty1nableDureErgyForceGageHanceJoyOughSureTer1pisode1qual1rror1scapeSayTate1' +
  'thnic1venIdentOlve1xactlyCeptEcuteHibitIstOticPectTend1ye0fabricCtDeIlLlMilyNtasyRmStTherUltVor1earD' +
  'eralElLlowMaleNceVerWer1iberCtionEldGureLmNdRstShTnessXed1lagEeIghtOorUidYing1ocusGLlowOdRceSter1ram' +
  'eEeIendOmUit1uelLlNdRyTure0gainLleryMeNgRdenTherYZe1earNeralSture1host1iantFtRlVe1lassImpseObal1oalL' +
  'dOdSpelVern1radeEatIpOup1uardEssIdeLfTY1ym0habitIrLfMmerNdPpenRdTeUlVeZard1earElIghtLpNceRe1ideGhLlM' +
  'selfNtPReStory1ockeyLdMeNorOkPeRseStTelUseWever1ugeManNdredRtSband0iceOn1dea1gnore1mageMunePact1nclu' +
  'deDeedFormHeritItialJuryMateNerPutQuirySideToVolve1ron1slandOlateSue1temSelf0jacketIlWZz1eansWelry1o' +
  'bInKeUrnalY1udgeIceMpNiorRySt0keepY1ickLlNdSsTchen1neeIfeOw0laborCkDyKeMpNdRgeStTerUghYer1eaveCtureF' +
  'tGalMonNgthSsTterVel1ibraryCenseFeGhtKeMitNeOnQuidStenTtleVe1oanBbyCalGicNgOkRdSeTsUdVeWerYalty1ucky' +
  'Nch0machineDnessGicInJorKeLeMaNyRketTterXimumYbe1eanDicalEtLtMberNtionRelySsageThod1iddleGhtLlionNut' +
  'eRrorSsXture1obileDelMentNeyOnReStTherUthVe1uchDRderStTual1yselfTh0nailKedMeRrowStyTionVy1earlyCkEdI' +
  'therRvousStTworkUtralVerWsXt1iceGht1obodyIseMineeNeOnRthSeThingVelWhere1uclearMberRseT0oak1bjectServ' +
  'eTainVious1ccurEan1dds1fficeTen1kay1ld1nceGoingIonLyTo1penInionPoseTion1rangeBitDerGanicIgin1ther1ug' +
  'htNceRsTside1ver1wner1xygen0packageGeInLeNelPerRtSsTientUseYment1eaceErNaltyOplePperRcentT1haseOtoRa' +
  'seYsics1ianoCkEceLotNkOneerPeTchZza1laceEaseOtUs1ocketEmIntKeLicyNdOrPularRtionSeTatoUndVertyWer1ray' +
  'erEpareIceOblem1ublicLlMpNishRposeShTZzle0qualityEenIteOte0rabbitCeDioGeIseLlyNgePidlyReTe1eallyBuil' +
  'dCeiveDuceFlectGionJectLateMainNtPortQuireSultTurnVealWard1hythm1ibbonChDeFleGhtNgOtSkTualVer1oadBot' +
  'CkLeManceOmPeUteYal1ubberInLeMorNningRalSh0sacredFetyIlLtMeNdTisfyUceVeY1caleEneHoolIenceOreReen1eas' +
  'onCondEGmentIzeLlMinarNdRviceSsionTtleVeral1hareEetIpOuldRugUtY1iblingCkDeGnLenceMplyNceSterTeZe1kil' +
  'lUllY1laveEepIpOwly1mallEllIleOke1napEakOw1oapCialDiumFtIlLdierMeNgOnRtUrce1paceEakHereIritLitOrtRin' +
  'gY1quare1tateEpIllOryReetUdentYle1ubjectChDdenFferGgestItMmerNsetPportReSpect1wallowEetIngOrd1ymbolS' +
  'tem0tableCticIlKeLkNkPeRgetSkX1eamChEnLlMpleNdRmStXt1hatEyIsOseRoughUs1icketDeGerLlMeNyRedSsueTle1ob' +
  'accoDayIletLlMatoNightOlPicSsTalUghWardXicY1radeEeIalOubleUeY1ubeCkMorNnelRn1wentyIce1ype0ugly1nable' +
  'CleDerFairHappyIonKnownLessTilUsual1pdateOnPerSet1rbanGe1sedUally1tility0vaccineLueNishRiousSt1ehicl' +
  'eNtureRySselTeran1ictimDeoEwLlageOlentRusSitTal1oiceLumeTe0wageItKeLkNtRmSteTerVeY1earBDdingEkIghtLl' +
  'St1hatEnIchOleY1ideFeLlNdowPeReShTh1olfManNderOdRkUld1rapIteOng0yard1earLlow1ield1ou0zone';

function decode(coded: string): string[] {
  const words: string[] = [];
  let prev = '';
  for (const [, shared, rest] of coded.matchAll(/([01]?)([A-Za-z][a-z]*)/g)) {
    prev = prev.slice(0, shared ? Number(shared) : 2) + rest!.toLowerCase();
    words.push(prev);
  }
  return words;
}

export const SEED_WORDLIST: readonly string[] = Object.freeze(decode(FRONT_CODED));
