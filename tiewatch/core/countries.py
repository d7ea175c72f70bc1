"""Country codes the registry accepts: ISO 3166-1 alpha-2, lower case, plus the codes FollowTheMoney
adds for places ISO does not list (e.g. `xk` Kosovo, `ps` Palestine, `gb-sct` Scotland, `suhh` the
Soviet Union, `zz` global). The list is FollowTheMoney's own country vocabulary (followthemoney 4.11),
kept here so that checking a country needs no library: an FtM export then carries only codes FtM
knows, and the runtime install needs neither FtM nor the ICU it pulls in (docs/install.md)."""

from __future__ import annotations

_CODES = """
ac ad ae af ag ai al am ao aq ar as at au aw ax az az-nk ba bb bd be bf bg bh bi bj bl bm bn bo bq
br bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn cn-xz co cp cq cr cshh csxx cu cv cw cx cy
cy-trnc cz dd de dg dj dk dm do dz ec ee eg eh er es et eu fi fj fk fm fo fr ga gb gb-nir gb-sct
gb-wls gd ge ge-ab gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu ic id ie il im in
io ip iq iq-kr ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv
ly ma mc md md-pmr me mf mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl
no np nr nu nz om pa pe pf pg ph pk pk-km pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se
sg sh si sj sk sl sm sn so so-som sr ss st suhh sv sx sy sz ta tc td tf tg th tj tk tl tm tn to tr
tt tv tw tz ua ua-cri ua-dpr ua-lpr ug um un us uy uz va vc ve vg vi vn vu wf ws x-so xk ye yt yucs
za zm zr zw zz
"""
COUNTRY_CODES = frozenset(_CODES.split())
