using Anthropic;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using PromptOps.Caching.Provider;
using PromptOps.Usage;

namespace PromptOps.Tests.Caching.Provider;

/// <summary>
/// A real generated <c>[Prompt]</c> client (the generator runs on this test project) through <c>UsePromptOps()</c> and
/// Anthropic's SDK with <see cref="ProviderPromptCacheHandler"/>, against the loopback caching Messages API server: the
/// breakpoint lands at the end of the template's fixed part (the generated <c>StaticPrefixLength</c>), before the
/// caller's text, so every ticket reads the same cached prefix.
/// </summary>
public sealed class GeneratedPromptCacheTests : IAsyncLifetime
{
    private AnthropicCachingServer _server = null!;

    public async Task InitializeAsync() => _server = await AnthropicCachingServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_generated_prompt_is_cached_up_to_the_end_of_its_fixed_template_part_not_after_the_callers_text()
    {
        var sink = new InMemoryUsageSink();
        await using var services = new ServiceCollection().AddSingleton<IUsageSink>(sink).BuildServiceProvider();
        using var chat = new AnthropicClient { ApiKey = "sk-ant-loopback", BaseUrl = _server.BaseUrl, MaxRetries = 0, HttpClient = ProviderPromptCacheHandler.CreateHttpClient() }
            .AsIChatClient("claude-sonnet-4-5", defaultMaxOutputTokens: 64)
            .AsBuilder().UsePromptOps().Build(services);
        var answers = new SupportAnswers(chat);

        await answers.AnswerAsync("my order 1 is late");
        await answers.AnswerAsync("my order 2 never arrived");

        Assert.Equal(2, _server.Requests.Count);
        Assert.All(_server.Requests, r => Assert.Equal("claude-sonnet-4-5", (string?)r["model"]));
        var fixedPart = SupportAnswers.Policy + "\nTicket: ";
        foreach (var (request, ticket) in _server.Requests.Zip(["my order 1 is late", "my order 2 never arrived"]))
        {
            // The system text carries no breakpoint of its own: the one breakpoint is after the template's fixed part.
            Assert.Equal(1, request.ToJsonString().Split("cache_control").Length - 1);
            var user = (System.Text.Json.Nodes.JsonArray)request["messages"]![0]!["content"]!;
            Assert.Equal(2, user.Count);
            Assert.Equal(fixedPart, (string?)user[0]!["text"]);
            Assert.Equal("ephemeral", (string?)user[0]!["cache_control"]!["type"]);
            Assert.Equal(ticket, (string?)user[1]!["text"]);
            Assert.Null(user[1]!["cache_control"]);
        }

        // The prefix (the system text and the fixed part) is written once and read by the second ticket.
        var system = string.Concat(((System.Text.Json.Nodes.JsonArray)_server.Requests[0]["system"]!).Select(b => (string?)b!["text"]));
        var prefixTokens = AnthropicCachingServer.CountTokens(system) + AnthropicCachingServer.CountTokens(fixedPart);
        Assert.Equal(prefixTokens, _server.CacheWriteTokens);
        Assert.Equal(prefixTokens, _server.CacheReadTokens);
        var records = sink.Snapshot();
        Assert.Equal(typeof(SupportAnswers).FullName + ".AnswerAsync", records[0].PromptId);
        Assert.Equal(prefixTokens, records[0].CacheWriteInputTokens);
        Assert.Equal(prefixTokens, records[1].CachedInputTokens);
    }
}

/// <summary>A <c>[Prompt]</c> client whose user template starts with 1,500 fixed words (above Claude Sonnet 4.5's minimum) then the ticket.</summary>
public partial class SupportAnswers(IChatClient chat)
{
    /// <summary>The fixed policy text (1,500 distinct four-letter words, as many tokens as the loopback server counts them).</summary>
    public const string Policy =
        "paaa paab paac paad paae paaf paag paah paai paaj paak paal paam paan paao paap paaq paar paas paat paau paav paaw paax paay paaz paba pabb pabc pabd pabe pabf pabg pabh pabi pabj pabk pabl pabm pabn pabo pabp pabq pabr pabs pabt pabu pabv pabw pabx paby pabz paca pacb pacc pacd pace pacf pacg pach " +
        "paci pacj pack pacl pacm pacn paco pacp pacq pacr pacs pact pacu pacv pacw pacx pacy pacz pada padb padc padd pade padf padg padh padi padj padk padl padm padn pado padp padq padr pads padt padu padv padw padx pady padz paea paeb paec paed paee paef paeg paeh paei paej paek pael paem paen paeo paep " +
        "paeq paer paes paet paeu paev paew paex paey paez pafa pafb pafc pafd pafe paff pafg pafh pafi pafj pafk pafl pafm pafn pafo pafp pafq pafr pafs paft pafu pafv pafw pafx pafy pafz paga pagb pagc pagd page pagf pagg pagh pagi pagj pagk pagl pagm pagn pago pagp pagq pagr pags pagt pagu pagv pagw pagx " +
        "pagy pagz paha pahb pahc pahd pahe pahf pahg pahh pahi pahj pahk pahl pahm pahn paho pahp pahq pahr pahs paht pahu pahv pahw pahx pahy pahz paia paib paic paid paie paif paig paih paii paij paik pail paim pain paio paip paiq pair pais pait paiu paiv paiw paix paiy paiz paja pajb pajc pajd paje pajf " +
        "pajg pajh paji pajj pajk pajl pajm pajn pajo pajp pajq pajr pajs pajt paju pajv pajw pajx pajy pajz paka pakb pakc pakd pake pakf pakg pakh paki pakj pakk pakl pakm pakn pako pakp pakq pakr paks pakt paku pakv pakw pakx paky pakz pala palb palc pald pale palf palg palh pali palj palk pall palm paln " +
        "palo palp palq palr pals palt palu palv palw palx paly palz pama pamb pamc pamd pame pamf pamg pamh pami pamj pamk paml pamm pamn pamo pamp pamq pamr pams pamt pamu pamv pamw pamx pamy pamz pana panb panc pand pane panf pang panh pani panj pank panl panm pann pano panp panq panr pans pant panu panv " +
        "panw panx pany panz paoa paob paoc paod paoe paof paog paoh paoi paoj paok paol paom paon paoo paop paoq paor paos paot paou paov paow paox paoy paoz papa papb papc papd pape papf papg paph papi papj papk papl papm papn papo papp papq papr paps papt papu papv papw papx papy papz paqa paqb paqc paqd " +
        "paqe paqf paqg paqh paqi paqj paqk paql paqm paqn paqo paqp paqq paqr paqs paqt paqu paqv paqw paqx paqy paqz para parb parc pard pare parf parg parh pari parj park parl parm parn paro parp parq parr pars part paru parv parw parx pary parz pasa pasb pasc pasd pase pasf pasg pash pasi pasj pask pasl " +
        "pasm pasn paso pasp pasq pasr pass past pasu pasv pasw pasx pasy pasz pata patb patc patd pate patf patg path pati patj patk patl patm patn pato patp patq patr pats patt patu patv patw patx paty patz paua paub pauc paud paue pauf paug pauh paui pauj pauk paul paum paun pauo paup pauq paur paus paut " +
        "pauu pauv pauw paux pauy pauz pava pavb pavc pavd pave pavf pavg pavh pavi pavj pavk pavl pavm pavn pavo pavp pavq pavr pavs pavt pavu pavv pavw pavx pavy pavz pawa pawb pawc pawd pawe pawf pawg pawh pawi pawj pawk pawl pawm pawn pawo pawp pawq pawr paws pawt pawu pawv paww pawx pawy pawz paxa paxb " +
        "paxc paxd paxe paxf paxg paxh paxi paxj paxk paxl paxm paxn paxo paxp paxq paxr paxs paxt paxu paxv paxw paxx paxy paxz paya payb payc payd paye payf payg payh payi payj payk payl paym payn payo payp payq payr pays payt payu payv payw payx payy payz paza pazb pazc pazd paze pazf pazg pazh pazi pazj " +
        "pazk pazl pazm pazn pazo pazp pazq pazr pazs pazt pazu pazv pazw pazx pazy pazz pbaa pbab pbac pbad pbae pbaf pbag pbah pbai pbaj pbak pbal pbam pban pbao pbap pbaq pbar pbas pbat pbau pbav pbaw pbax pbay pbaz pbba pbbb pbbc pbbd pbbe pbbf pbbg pbbh pbbi pbbj pbbk pbbl pbbm pbbn pbbo pbbp pbbq pbbr " +
        "pbbs pbbt pbbu pbbv pbbw pbbx pbby pbbz pbca pbcb pbcc pbcd pbce pbcf pbcg pbch pbci pbcj pbck pbcl pbcm pbcn pbco pbcp pbcq pbcr pbcs pbct pbcu pbcv pbcw pbcx pbcy pbcz pbda pbdb pbdc pbdd pbde pbdf pbdg pbdh pbdi pbdj pbdk pbdl pbdm pbdn pbdo pbdp pbdq pbdr pbds pbdt pbdu pbdv pbdw pbdx pbdy pbdz " +
        "pbea pbeb pbec pbed pbee pbef pbeg pbeh pbei pbej pbek pbel pbem pben pbeo pbep pbeq pber pbes pbet pbeu pbev pbew pbex pbey pbez pbfa pbfb pbfc pbfd pbfe pbff pbfg pbfh pbfi pbfj pbfk pbfl pbfm pbfn pbfo pbfp pbfq pbfr pbfs pbft pbfu pbfv pbfw pbfx pbfy pbfz pbga pbgb pbgc pbgd pbge pbgf pbgg pbgh " +
        "pbgi pbgj pbgk pbgl pbgm pbgn pbgo pbgp pbgq pbgr pbgs pbgt pbgu pbgv pbgw pbgx pbgy pbgz pbha pbhb pbhc pbhd pbhe pbhf pbhg pbhh pbhi pbhj pbhk pbhl pbhm pbhn pbho pbhp pbhq pbhr pbhs pbht pbhu pbhv pbhw pbhx pbhy pbhz pbia pbib pbic pbid pbie pbif pbig pbih pbii pbij pbik pbil pbim pbin pbio pbip " +
        "pbiq pbir pbis pbit pbiu pbiv pbiw pbix pbiy pbiz pbja pbjb pbjc pbjd pbje pbjf pbjg pbjh pbji pbjj pbjk pbjl pbjm pbjn pbjo pbjp pbjq pbjr pbjs pbjt pbju pbjv pbjw pbjx pbjy pbjz pbka pbkb pbkc pbkd pbke pbkf pbkg pbkh pbki pbkj pbkk pbkl pbkm pbkn pbko pbkp pbkq pbkr pbks pbkt pbku pbkv pbkw pbkx " +
        "pbky pbkz pbla pblb pblc pbld pble pblf pblg pblh pbli pblj pblk pbll pblm pbln pblo pblp pblq pblr pbls pblt pblu pblv pblw pblx pbly pblz pbma pbmb pbmc pbmd pbme pbmf pbmg pbmh pbmi pbmj pbmk pbml pbmm pbmn pbmo pbmp pbmq pbmr pbms pbmt pbmu pbmv pbmw pbmx pbmy pbmz pbna pbnb pbnc pbnd pbne pbnf " +
        "pbng pbnh pbni pbnj pbnk pbnl pbnm pbnn pbno pbnp pbnq pbnr pbns pbnt pbnu pbnv pbnw pbnx pbny pbnz pboa pbob pboc pbod pboe pbof pbog pboh pboi pboj pbok pbol pbom pbon pboo pbop pboq pbor pbos pbot pbou pbov pbow pbox pboy pboz pbpa pbpb pbpc pbpd pbpe pbpf pbpg pbph pbpi pbpj pbpk pbpl pbpm pbpn " +
        "pbpo pbpp pbpq pbpr pbps pbpt pbpu pbpv pbpw pbpx pbpy pbpz pbqa pbqb pbqc pbqd pbqe pbqf pbqg pbqh pbqi pbqj pbqk pbql pbqm pbqn pbqo pbqp pbqq pbqr pbqs pbqt pbqu pbqv pbqw pbqx pbqy pbqz pbra pbrb pbrc pbrd pbre pbrf pbrg pbrh pbri pbrj pbrk pbrl pbrm pbrn pbro pbrp pbrq pbrr pbrs pbrt pbru pbrv " +
        "pbrw pbrx pbry pbrz pbsa pbsb pbsc pbsd pbse pbsf pbsg pbsh pbsi pbsj pbsk pbsl pbsm pbsn pbso pbsp pbsq pbsr pbss pbst pbsu pbsv pbsw pbsx pbsy pbsz pbta pbtb pbtc pbtd pbte pbtf pbtg pbth pbti pbtj pbtk pbtl pbtm pbtn pbto pbtp pbtq pbtr pbts pbtt pbtu pbtv pbtw pbtx pbty pbtz pbua pbub pbuc pbud " +
        "pbue pbuf pbug pbuh pbui pbuj pbuk pbul pbum pbun pbuo pbup pbuq pbur pbus pbut pbuu pbuv pbuw pbux pbuy pbuz pbva pbvb pbvc pbvd pbve pbvf pbvg pbvh pbvi pbvj pbvk pbvl pbvm pbvn pbvo pbvp pbvq pbvr pbvs pbvt pbvu pbvv pbvw pbvx pbvy pbvz pbwa pbwb pbwc pbwd pbwe pbwf pbwg pbwh pbwi pbwj pbwk pbwl " +
        "pbwm pbwn pbwo pbwp pbwq pbwr pbws pbwt pbwu pbwv pbww pbwx pbwy pbwz pbxa pbxb pbxc pbxd pbxe pbxf pbxg pbxh pbxi pbxj pbxk pbxl pbxm pbxn pbxo pbxp pbxq pbxr pbxs pbxt pbxu pbxv pbxw pbxx pbxy pbxz pbya pbyb pbyc pbyd pbye pbyf pbyg pbyh pbyi pbyj pbyk pbyl pbym pbyn pbyo pbyp pbyq pbyr pbys pbyt " +
        "pbyu pbyv pbyw pbyx pbyy pbyz pbza pbzb pbzc pbzd pbze pbzf pbzg pbzh pbzi pbzj pbzk pbzl pbzm pbzn pbzo pbzp pbzq pbzr pbzs pbzt pbzu pbzv pbzw pbzx pbzy pbzz pcaa pcab pcac pcad pcae pcaf pcag pcah pcai pcaj pcak pcal pcam pcan pcao pcap pcaq pcar pcas pcat pcau pcav pcaw pcax pcay pcaz pcba pcbb " +
        "pcbc pcbd pcbe pcbf pcbg pcbh pcbi pcbj pcbk pcbl pcbm pcbn pcbo pcbp pcbq pcbr pcbs pcbt pcbu pcbv pcbw pcbx pcby pcbz pcca pccb pccc pccd pcce pccf pccg pcch pcci pccj pcck pccl pccm pccn pcco pccp pccq pccr pccs pcct pccu pccv pccw pccx pccy pccz pcda pcdb pcdc pcdd pcde pcdf pcdg pcdh pcdi pcdj " +
        "pcdk pcdl pcdm pcdn pcdo pcdp pcdq pcdr pcds pcdt pcdu pcdv pcdw pcdx pcdy pcdz pcea pceb pcec pced pcee pcef pceg pceh pcei pcej pcek pcel pcem pcen pceo pcep pceq pcer pces pcet pceu pcev pcew pcex pcey pcez pcfa pcfb pcfc pcfd pcfe pcff pcfg pcfh pcfi pcfj pcfk pcfl pcfm pcfn pcfo pcfp pcfq pcfr";

    [Prompt(Task = "short_answer", Tier = "best", System = "You answer support tickets.", User = Policy + "\nTicket: {ticket}")]
    public partial Task<string> AnswerAsync(string ticket);
}
